import Foundation
import Testing
@testable import CowLab

/// Runs scenarios through the real `cowlab-subject`. Serialized (they start
/// processes) and time-limited; each checks that no subject is left behind.
@Suite("Scenario runs", .serialized, .timeLimit(.minutes(3)))
struct ScenarioRunTests {
    static let catalogue = try! Catalogue.locate()

    func run(_ scenario: Scenario, overrides: [String: String] = [:]) -> RunRecord {
        var options = RunOptions()
        options.overrides = overrides
        options.stepTimeout = 20
        let record = Runner(scenario: scenario, options: options).run()
        for pid in Set(record.snapshots.flatMap { $0.processes.map(\.pid) }) {
            #expect(!processExists(pid), "subject \(pid) outlived the run of \(scenario.name)")
        }
        return record
    }

    /// True while the pid exists, zombie or not.
    func processExists(_ pid: Int32) -> Bool {
        FileManager.default.fileExists(atPath: "/proc/\(pid)")
    }

    @Test("every scenario in the catalogue holds on this machine (or is skipped with a reason)",
          arguments: try! catalogue.names())
    func catalogueScenario(name: String) throws {
        let record = run(try Self.catalogue.load(name))
        let failures = record.expectations.filter { $0.verdict == .fail || $0.verdict == .error }.map(\.sentence)
        #expect(record.verdict == .pass || record.verdict == .skip, "\(name): \(record.reason ?? "") \(failures)")
        if record.verdict == .skip { #expect(record.reason?.isEmpty == false) }
        if record.verdict == .pass { #expect(!record.expectations.isEmpty) }
    }

    @Test("fork-write measures what the document describes")
    func forkWrite() throws {
        let record = run(try Self.catalogue.load("fork-write"))
        #expect(record.verdict == .pass)
        let forked = try #require(record.snapshots.first { $0.label == "forked" })
        #expect(forked.processes.map(\.name) == ["parent", "child"])
        let parent = try #require(forked.process("parent")?.region("buf"))
        let child = try #require(forked.process("child")?.region("buf"))
        // Shared after fork: the same Rss, all of it Shared_Dirty, Pss halved.
        #expect(parent.kB["Rss"] == child.kB["Rss"])
        #expect(parent.kB["Shared_Dirty"] == parent.kB["Rss"])
        #expect(parent.kB["Pss"]! * 2 <= parent.kB["Rss"]! + 1)
        let written = try #require(record.snapshots.first { $0.label == "written" }?.process("child")?.region("buf"))
        #expect(written.kB["Shared_Dirty"] == 0)
        #expect(written.kB["Private_Dirty"] == written.kB["Rss"])
        #expect(record.expectations.contains { $0.kind == "content" && $0.verdict == .pass })
        // Frame by frame: every buffer page shared after fork, every one copied after the write.
        let pages = Int((65536 + 4095) / 4096)
        let afterFork = try #require(forked.join("buf", "parent", "child"))
        let afterWrite = try #require(record.snapshots.first { $0.label == "written" }?.join("buf", "parent", "child"))
        #expect(afterFork.absent == 0 && afterWrite.absent == 0)
        if geteuid() == 0 {
            #expect(afterFork.mode == "frames")
            #expect(afterFork.shared >= pages && afterFork.copied == 0)
            #expect(afterWrite.copied >= pages && afterWrite.shared == 0)
            #expect(record.expectations.filter { $0.kind == "frames" }.allSatisfy { $0.verdict == .pass })
        } else {
            #expect(afterFork.mode == "inferred")
            #expect(record.expectations.filter { $0.kind == "frames" }.allSatisfy { $0.verdict == .skip && $0.sentence.contains("needs root") })
        }
    }

    @Test("a larger size flows from --set into the subject and the verdicts")
    func overrideSize() throws {
        let record = run(try Self.catalogue.load("fork-write"), overrides: ["size": "100KiB"])
        #expect(record.verdict == .pass, "\(record.expectations.filter { $0.verdict != .pass }.map(\.sentence))")
        #expect(record.steps.first?.reply["len"] == "102400")
    }

    @Test("a wrong expectation fails, with the observed numbers")
    func wrongExpectationFails() throws {
        let text = try String(contentsOfFile: Self.catalogue.path(of: "fork-write"), encoding: .utf8)
            .replacingOccurrences(of: "    Shared_Dirty: \"= 0\"", with: "    Shared_Dirty: \">= $size\"")
        let record = run(try ScenarioLoader.parse(text, file: "fork-write.yaml"))
        #expect(record.verdict == .fail)
        let failed = record.expectations.filter { $0.verdict == .fail }
        #expect(failed.count == 2)   // parent and child at `written`
        #expect(failed.allSatisfy { $0.sentence.contains("Shared_Dirty at written: 0 kB") })
    }

    @Test("a step the kernel refuses ends the run with one line naming the step and process")
    func stepErrorIsReported() throws {
        let text = """
        version: 1
        name: bad-step
        title: madvise on an unaligned malloc pointer
        source: test
        steps:
          - { as: allocated, in: parent, do: malloc, region: buf, size: 64KiB }
          - { as: advised, in: parent, do: madvise, region: buf, advice: dontneed }
        expect:
          - { at: advised, in: parent, region: buf, Rss: "= 0" }
        """
        let record = run(try ScenarioLoader.parse(text, file: "bad-step.yaml"))
        #expect(record.verdict == .error)
        let reason = try #require(record.reason)
        #expect(reason.contains("step 2 'advised' (madvise in parent)"), "\(reason)")
        #expect(!reason.contains("\n"))
        #expect(record.expectations.allSatisfy { $0.verdict == .skip })
    }

    @Test("an unknown --set parameter is refused before anything starts")
    func unknownOverride() throws {
        let record = run(try Self.catalogue.load("fork-write"), overrides: ["sise": "1MiB"])
        #expect(record.verdict == .error)
        #expect(record.reason?.contains("no parameter 'sise'") == true)
        #expect(record.snapshots.isEmpty)
    }
}
