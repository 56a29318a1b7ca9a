import Foundation
@testable import Reports
import Testing

/// The `cowlab` executable, run as a user runs it. It is built beside this
/// test bundle (the directory of /proc/self/exe), since `swift test` builds
/// every product.
@Suite("cowlab command line", .serialized, .timeLimit(.minutes(2)))
struct CLITests {
    static var binary: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("cowlab")
    }

    struct Outcome { var status: Int32; var stdout: String; var stderr: String; var pid: Int32 = 0 }

    /// Runs the built `cowlab`; `environment` entries are added to this process's.
    func cowlab(_ arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
        let p = Process()
        p.executableURL = Self.binary
        p.arguments = arguments
        if !environment.isEmpty {
            p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Drain stderr on another thread so neither pipe can fill up and block the child.
        nonisolated(unsafe) var errData = Data()
        let drained = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            drained.signal()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        p.waitUntilExit()
        return Outcome(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                       stderr: String(decoding: errData, as: UTF8.self), pid: p.processIdentifier)
    }

    func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cowlab-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("the built cowlab is where the tests expect it")
    func binaryExists() {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary.path), "\(Self.binary.path)")
    }

    @Test("`cowlab --help` lists every exit code (help text is a contract)")
    func helpListsExitCodes() throws {
        let r = try cowlab(["--help"])
        #expect(r.status == 0)
        let help = r.stdout.replacingOccurrences(of: "\n", with: " ").split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        #expect(help.contains("Exit codes:"))
        for phrase in ["0 every expectation held", "1 an expectation failed", "2 a scenario file or name is wrong",
                       "3 a smaps file, pid or run record cannot be read", "4 a run could not complete", "64 bad command-line usage"] {
            #expect(help.contains(phrase), "missing from cowlab --help: \(phrase)")
        }
    }

    @Test("glibc malloc variables in the user's environment do not change a verdict (subjects get none)")
    func mallocEnvironmentDoesNotReachSubjects() throws {
        let dir = try temporaryDirectory()
        // Each of these made malloc-untouched or fork-write fail when subjects inherited them.
        let r = try cowlab(["run", "malloc-untouched", "fork-write", "--out", dir.path],
                           environment: ["MALLOC_PERTURB_": "165", "MALLOC_TOP_PAD_": "1048576"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    }

    @Test("`cowlab run --help` documents the report options")
    func runHelp() throws {
        let r = try cowlab(["run", "--help"])
        #expect(r.status == 0)
        for option in ["--format", "--repeat", "--quiet", "--verbose", "--out", "md", "json", "junit", "NAME-timeline.svg"] {
            #expect(r.stdout.contains(option), "missing from cowlab run --help: \(option)")
        }
    }

    @Test("an unknown report format is a usage error (64)")
    func badFormat() throws {
        let r = try cowlab(["run", "fork-write", "--format", "md,html"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("html"))
    }

    @Test("`cowlab report` re-renders a committed record byte for byte like the golden files",
          .disabled(if: ReportFixtures.updating, "the golden files are being rewritten"))
    func reportMatchesGolden() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let record = ReportFixtures.directory.appendingPathComponent("records/fork-write.pass.json")
        let r = try cowlab(["report", record.path, "--out", dir.path, "--format", "md,junit"])
        #expect(r.status == 0, "\(r.stderr)")
        let golden = ReportFixtures.directory.appendingPathComponent("golden/pass")
        let names = try FileManager.default.contentsOfDirectory(atPath: golden.path).sorted()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == names)
        for name in names {
            #expect(try Data(contentsOf: dir.appendingPathComponent(name)) == Data(contentsOf: golden.appendingPathComponent(name)), "\(name)")
        }
    }

    @Test("a run repeated twice reports its verdicts, and `cowlab report` re-renders its files byte for byte")
    func runThenReport() throws {
        let ran = try temporaryDirectory(), rerendered = try temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(at: ran)
            try? FileManager.default.removeItem(at: rerendered)
        }
        let run = try cowlab(["run", "fork-write", "--repeat", "2", "--out", ran.path, "--format", "md,json,junit", "--timeout", "20"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("fork-write: pass ×2 in 2 runs"), "\(run.stdout)")
        let files = try FileManager.default.contentsOfDirectory(atPath: ran.path).sorted()
        for name in ["fork-write.md", "fork-write.json", "fork-write.junit.xml", "fork-write-timeline.svg", "fork-write-forked.svg"] {
            #expect(files.contains(name), "cowlab run did not write \(name)")
        }
        let report = try cowlab(["report", ran.appendingPathComponent("fork-write.json").path, "--out", rerendered.path, "--format", "md,json,junit"])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: rerendered.path).sorted() == files)
        for name in files {
            #expect(try Data(contentsOf: ran.appendingPathComponent(name)) == Data(contentsOf: rerendered.appendingPathComponent(name)),
                    "\(name) differs after cowlab report")
        }
    }

    @Test("a record that is not a run record is an input error (3)")
    func badRecord() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("x.json")
        try Data("{\"format\": 1}".utf8).write(to: path)
        let r = try cowlab(["report", path.path])
        #expect(r.status == 3)
        #expect(r.stderr.contains("not a cowlab run record"))
    }
}
