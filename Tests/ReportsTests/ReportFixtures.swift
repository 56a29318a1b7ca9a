@testable import CowLab
import Foundation
@testable import Reports

/// The committed run records (Fixtures/records) and the golden outputs
/// (Fixtures/golden), plus a few records derived from them in code.
///
/// The records are real runs of this machine, trimmed to the mappings their
/// regions cover (Fixtures/records/trim.py; see Fixtures/README.md). To
/// regenerate the golden outputs after a deliberate change to a renderer:
///
///     COWLAB_UPDATE_GOLDEN=1 swift test --filter ReportsTests
///
/// then review `git diff Tests/ReportsTests/Fixtures/golden` and commit it.
enum ReportFixtures {
    static var directory: URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    }

    /// Where the golden files live in the source tree (written in update mode).
    static var sourceDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    }

    static var updating: Bool { ProcessInfo.processInfo.environment["COWLAB_UPDATE_GOLDEN"] == "1" }

    static func recordData(_ name: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent("records/\(name).json"))
    }

    static func record(_ name: String) throws -> RunRecord {
        try JSONReport.decode(try recordData(name))
    }

    /// A passing run of fork-write with the default 64 KiB buffer.
    static func pass() throws -> RunRecord { try record("fork-write.pass") }

    /// fork-write with `--set size=1MiB`: malloc takes a separate mapping, and
    /// four expectations do not hold.
    static func fail() throws -> RunRecord { try record("fork-write-1MiB.fail") }

    /// The passing run, cut short as if the child had stopped answering at step
    /// 4: an error verdict, expectations after the cut not evaluated, plus a
    /// mapping-scope and a whole-process expectation, a failing one, and a
    /// document note, so every path of the renderers has a golden.
    static func troubled() throws -> RunRecord {
        var r = try pass()
        r.scenario.name = "fork-write-troubled"
        let reached = Set(r.snapshots.prefix(4).map(\.label))
        r.snapshots = Array(r.snapshots.prefix(4))
        r.steps = Array(r.steps.prefix(4))
        let reason = "fork-write: step 4 'written' (fill in child): no reply within 20 s; the subject was killed"
        r.steps[3].error = reason
        r.steps[3].reply = [:]
        r.verdict = .error
        r.reason = reason
        r.expectations = r.expectations.map { e in
            guard !e.labels.allSatisfy(reached.contains) else { return e }
            var e = e
            e.verdict = .skip
            e.observed = nil
            e.expected = nil
            e.sentence = "not measured: \(e.process) has no snapshot at \(e.labels.joined(separator: " or ")) (the run stopped before it)"
            return e
        }
        r.expectations.append(ExpectationResult(
            expectation: 9, line: 70, kind: "state", process: "parent", scope: "[heap]", labels: ["forked"], field: "Rss",
            condition: "<= 64KiB", observed: 69632, expected: 65536, verdict: .fail,
            sentence: "parent [heap] Rss at forked: 68 kB, expected <= 64 kB: does not hold.",
            why: "a made-up expectation, so that a failure has a golden"))
        r.expectations.append(ExpectationResult(
            expectation: 10, line: 74, kind: "state", process: "child", scope: "whole process", labels: ["forked"], field: "Pss",
            condition: "> 0", observed: 34816, expected: 0, verdict: .pass,
            sentence: "child whole process Pss at forked: 34 kB, expected > 0: holds.", why: nil))
        for i in r.document.indices where !reached.contains(r.document[i].label) { r.document[i].measuredBytes = nil }
        r.document[0].note = "the document's glibc put 8 kB of bookkeeping in front of the buffer; so does ours"
        r.document[1].measuredBytes = 12288
        return r
    }

    /// The golden cases: a directory name under Fixtures/golden and its record.
    static func cases() throws -> [(name: String, record: RunRecord)] {
        [("pass", try pass()), ("fail", try fail()), ("troubled", try troubled())]
    }
}
