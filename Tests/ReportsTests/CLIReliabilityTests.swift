import Foundation
import Testing

/// Bad input gets one line and a distinct exit code; interrupted and killed
/// observers leave no subject behind. Runs the built `cowlab` as a user would.
extension CLITests {
    /// Starts `cowlab` with its output discarded.
    func start(_ arguments: [String]) throws -> Process {
        let p = Process()
        p.executableURL = Self.binary
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// Live (non-zombie) cowlab-subject processes started by the observer
    /// `observer`: a subject's command line is `cowlab-subject 1 OBSERVER-PID`,
    /// and a forked child keeps its parent's (subjects get no environment to
    /// tag, see `SubjectGroup.launch`).
    func subjects(of observer: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let comm = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8),
                  comm.trimmingCharacters(in: .whitespacesAndNewlines) == "cowlab-subject",
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")"),
                  stat[stat.index(close, offsetBy: 2)] != "Z",
                  let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let arguments = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return arguments.count == 3 && arguments[2] == String(observer)
        }
    }

    /// Waits up to `seconds` for `condition`.
    func eventually(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }

    @Test("a misspelt key is refused in one line naming file, line and key (exit 2)")
    func misspeltKey() throws {
        let dir = try temporaryDirectory()
        let original = try String(contentsOf: Self.catalogue.appendingPathComponent("fork-write.yaml"), encoding: .utf8)
        let broken = original.replacingOccurrences(of: "    Shared_Dirty: \"= Rss\"", with: "    Shared_Dirt: \"= Rss\"")
        let file = dir.appendingPathComponent("fork-write.yaml")
        try broken.write(to: file, atomically: true, encoding: .utf8)
        let line = broken.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("Shared_Dirt:") }! + 1
        let r = try cowlab(["run", file.path, "--out", dir.path])
        #expect(r.status == 2)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(r.stderr)")
        #expect(r.stderr.contains("fork-write.yaml:\(line): "), "\(r.stderr)")
        #expect(r.stderr.contains("Shared_Dirt: unknown key (did you mean 'Shared_Dirty'?)"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("fork-write.md").path))
    }

    static var catalogue: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Scenarios")
    }

    @Test("bad input: one line and its own exit code", arguments: [
        (["run", "no-such-scenario"], Int32(2), "no scenario named 'no-such-scenario'"),
        (["run", "fork-wirte"], 2, "did you mean 'fork-write'?"),
        (["run", "fork-write", "--set", "size"], 64, "--set takes name=value"),
        (["run", "fork-write", "--set", "nope=1MiB"], 64, "no selected scenario has a parameter 'nope'"),
        (["run"], 64, "name a scenario"),
        (["run", "file-shared-one", "--set", "fault_around=4KiB"], 64, "read-only machine parameter"),
        (["run", "fork-write", "--timeout", "0"], 64, "--timeout"),
        (["show", "fork-write", "--scenarios", "/nonexistent"], 2, "no such scenario directory"),
    ] as [([String], Int32, String)])
    func badInput(arguments: [String], status: Int32, fragment: String) throws {
        let dir = try temporaryDirectory()
        let r = try cowlab(arguments + (arguments.first == "run" ? ["--out", dir.path] : []))
        #expect(r.status == status, "\(arguments): \(r.stderr)")
        #expect(r.stderr.contains(fragment), "\(arguments): \(r.stderr)")
        #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Stack dump"))
    }

    @Test("SIGINT stops the run: exit 130, no subject left, no run directory left")
    func interrupt() throws {
        let dir = try temporaryDirectory()
        let data = try temporaryDirectory()
        let p = try start(["run", "file-private-populate", "--out", dir.path, "--data-dir", data.path])
        let observer = p.processIdentifier
        #expect(eventually(20) { !subjects(of: observer).isEmpty }, "no subject started")
        p.interrupt()
        p.waitUntilExit()
        #expect(p.terminationStatus == 130)
        #expect(eventually(2) { subjects(of: observer).isEmpty }, "subjects survived SIGINT: \(subjects(of: observer))")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: data.path).filter { $0.hasPrefix("cowlab-run-") }
        #expect(leftovers.isEmpty, "run directory left behind: \(leftovers)")
    }

    @Test("kill -9 of the observer at any moment leaves no subject alive", arguments: [0.0, 0.02, 0.05, 0.1, 0.2, 0.4])
    func killNine(delay: Double) throws {
        let dir = try temporaryDirectory()
        let p = try start(["run", "fork-write", "--set", "size=64MiB", "--out", dir.path])
        let observer = p.processIdentifier
        if delay > 0 {
            let started = eventually(delay * 10) { !subjects(of: observer).isEmpty }
            // From 50 ms on, the kill must land while subjects exist, or this test proves nothing.
            if delay >= 0.05 { #expect(started, "no subject seen before the kill") }
            usleep(UInt32(delay * 1_000_000))
        }
        kill(observer, SIGKILL)
        p.waitUntilExit()
        #expect(eventually(2) { subjects(of: observer).isEmpty }, "subjects outlived a SIGKILLed observer: \(subjects(of: observer))")
    }

    @Test("after a failed run no subject is left")
    func failedRunLeavesNothing() throws {
        let dir = try temporaryDirectory()
        let original = try String(contentsOf: Self.catalogue.appendingPathComponent("fork-write.yaml"), encoding: .utf8)
        let wrong = original.replacingOccurrences(of: "    Shared_Dirty: \"= 0\"", with: "    Shared_Dirty: \">= $size\"")
        let file = dir.appendingPathComponent("fork-write.yaml")
        try wrong.write(to: file, atomically: true, encoding: .utf8)
        let p = try start(["run", file.path, "--out", dir.path])
        p.waitUntilExit()
        #expect(p.terminationStatus == 1)
        #expect(subjects(of: p.processIdentifier).isEmpty)
    }

    @Test("a subject that does not answer in time fails the run, naming the step and process (exit 4)")
    func stepTimeout() throws {
        let dir = try temporaryDirectory()
        let r = try cowlab(["run", "file-private-populate", "--timeout", "0.01", "--out", dir.path])
        #expect(r.status == 4, "\(r.stderr)")
        #expect(r.stderr.contains("step 2 'first-populated' (mmap in parent)"), "\(r.stderr)")
        #expect(r.stderr.contains("did not answer 'mmap' within 0.01 s; it was killed"), "\(r.stderr)")
        let report = try String(contentsOf: dir.appendingPathComponent("file-private-populate.md"), encoding: .utf8)
        #expect(report.contains("did not answer 'mmap'"))
        #expect(subjects(of: r.pid).isEmpty)
    }

    @Test("a scenario that would need more memory than is available is refused with the numbers (exit 4)")
    func memoryPreflight() throws {
        let dir = try temporaryDirectory()
        let r = try cowlab(["run", "fork-write", "--set", "size=4TiB", "--out", dir.path])
        #expect(r.status == 4 || r.status == 64, "\(r.stderr)")
        let r2 = try cowlab(["run", "fork-write", "--set", "size=1024GiB", "--out", dir.path])
        #expect(r2.status == 4, "\(r2.stderr)")
        #expect(r2.stderr.contains("needs up to") && r2.stderr.contains("is available (MemAvailable"), "\(r2.stderr)")
    }

    @Test("`snapshot TARGET --json` (fast path, no ArgumentParser) prints exactly what ArgumentParser's path prints")
    func snapshotFastPathEqualsArgumentParser() throws {
        let dir = try temporaryDirectory()
        let saved = dir.appendingPathComponent("self.smaps")
        // A saved smaps file: this test process's, copied by cat (Foundation truncates /proc reads).
        let copy = Process()
        copy.executableURL = URL(fileURLWithPath: "/bin/sh")
        copy.arguments = ["-c", "cat /proc/$PPID/smaps > '\(saved.path)'"]
        try copy.run()
        copy.waitUntilExit()
        for target in [saved.path, dir.appendingPathComponent("missing").path, "0"] {
            let fast = try cowlab(["snapshot", target, "--json"])
            let fastSwapped = try cowlab(["snapshot", "--json", target])
            let slow = try cowlab(["snapshot", "--json", "--", target])   // not the fast path's shape
            #expect(fast.status == slow.status && fast.stdout == slow.stdout && fast.stderr == slow.stderr, "\(target)")
            #expect(fastSwapped.status == slow.status && fastSwapped.stdout == slow.stdout && fastSwapped.stderr == slow.stderr)
        }
        #expect(try cowlab(["snapshot", saved.path, "--json"]).status == 0)
    }

    @Test("`snapshot --json` of a pid or file that cannot be read prints nothing on stdout, one line on stderr, exit 3")
    func snapshotJSONOfMissingTargetPrintsNoDocument() throws {
        let dir = try temporaryDirectory()
        for target in ["2147483646", dir.appendingPathComponent("missing").path] {
            let r = try cowlab(["snapshot", target, "--json"])
            #expect(r.status == 3, "\(target)")
            #expect(r.stdout.isEmpty, "\(target): \(r.stdout)")
            #expect(r.stderr.hasPrefix("cowlab: ") && r.stderr.filter { $0 == "\n" }.count == 1, "\(r.stderr)")
        }
    }
}
