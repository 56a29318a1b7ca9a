import Testing
@testable import CowLab

/// Evaluates expectations against hand-made snapshots: no process is started.
@Suite("Expectation evaluator")
struct ExpectationEvaluatorTests {
    func snapshot(_ label: String, _ procs: [(String, [String: UInt64])]) -> SnapshotRecord {
        SnapshotRecord(label: label, afterStep: nil, processes: procs.map { name, kB in
            ProcessSnapshot(name: name, pid: 1, mappings: [MappingRecord(start: "1000", end: "22000", permissions: "rw-p", offset: "0", pathname: "[heap]", kB: kB)],
                            regions: [RegionRecord(name: "buf", start: "1000", end: "11000", length: 65536, origin: "malloc", mappingIndexes: [0], kB: kB)])
        })
    }

    func fields(rss: UInt64, pss: UInt64, sd: UInt64, pd: UInt64) -> [String: UInt64] {
        ["Size": 132, "Rss": rss, "Pss": pss, "Shared_Dirty": sd, "Private_Dirty": pd, "Anonymous": rss]
    }

    func evaluate(_ snapshots: [SnapshotRecord]) throws -> [ExpectationResult] {
        let scenario = try ScenarioLoader.parse(baseScenario, file: "demo.yaml")
        return ExpectationEvaluator(scenario: scenario, snapshots: snapshots, pageSize: 4096,
                                    parameters: ["size": Quantity(bytes: 65536)]).evaluate()
    }

    var textbook: [SnapshotRecord] {
        [snapshot("start", [("parent", [:])]),
         snapshot("allocated", [("parent", fields(rss: 8, pss: 8, sd: 0, pd: 8))]),
         snapshot("filled", [("parent", fields(rss: 68, pss: 68, sd: 0, pd: 68))]),
         snapshot("forked", [("parent", fields(rss: 68, pss: 34, sd: 68, pd: 0)), ("child", fields(rss: 68, pss: 34, sd: 68, pd: 0))]),
         snapshot("written", [("parent", fields(rss: 68, pss: 68, sd: 0, pd: 68)), ("child", fields(rss: 68, pss: 68, sd: 0, pd: 68))])]
    }

    @Test("the document's own numbers pass every expectation")
    func textbookPasses() throws {
        let results = try evaluate(textbook)
        #expect(results.count == 4)   // 2 processes at forked, 1 shift, 1 change
        #expect(results.allSatisfy { $0.verdict == .pass }, "\(results.map(\.sentence))")
    }

    @Test("a write that copies nothing fails the shift, with the numbers in the sentence")
    func noCopyFails() throws {
        var snaps = textbook
        snaps[4] = snapshot("written", [("parent", fields(rss: 68, pss: 34, sd: 68, pd: 0)), ("child", fields(rss: 68, pss: 34, sd: 68, pd: 0))])
        let shift = try evaluate(snaps).first { $0.kind == "shift" }!
        #expect(shift.verdict == .fail)
        #expect(shift.sentence.contains("Shared_Dirty +0 kB"))
        #expect(shift.sentence.contains("does not hold"))
    }

    @Test("a shift needs both sides: a fall without the rise fails")
    func halfShiftFails() throws {
        var snaps = textbook
        snaps[4] = snapshot("written", [("parent", fields(rss: 68, pss: 68, sd: 0, pd: 68)), ("child", fields(rss: 0, pss: 0, sd: 0, pd: 0))])
        #expect(try evaluate(snaps).first { $0.kind == "shift" }!.verdict == .fail)
    }

    @Test("labels the run never reached are skipped, not passed")
    func notReached() throws {
        let results = try evaluate(Array(textbook.prefix(3)))   // start, allocated, filled
        let late = results.filter { $0.labels.contains("forked") || $0.labels.contains("written") }
        #expect(late.count == 3)
        #expect(late.allSatisfy { $0.verdict == .skip })
        #expect(late.allSatisfy { $0.sentence.contains("not measured") })
        #expect(results.first { $0.kind == "change" }?.verdict == .pass)
    }

    @Test("document claims carry our measurement beside theirs")
    func claims() throws {
        let scenario = try ScenarioLoader.parse(baseScenario, file: "demo.yaml")
        var snaps = textbook
        snaps[3] = snapshot("forked", [("parent", fields(rss: 72, pss: 36, sd: 72, pd: 0)), ("child", fields(rss: 72, pss: 36, sd: 72, pd: 0))])
        let c = ExpectationEvaluator(scenario: scenario, snapshots: snaps, pageSize: 4096, parameters: [:]).claims()
        #expect(c.count == 1)
        #expect(c[0].documentBytes == 34 * 1024)
        #expect(c[0].measuredBytes == Double(36 * 1024), "\(c)")
    }

    func joined(_ label: String, shared: Int, copied: Int, mode: String) -> SnapshotRecord {
        var s = snapshot(label, [("parent", fields(rss: 68, pss: 34, sd: 68, pd: 0)), ("child", fields(rss: 68, pss: 34, sd: 68, pd: 0))])
        s.joins = [FrameJoinRecord(region: "buf", first: "parent", second: "child", mode: mode, shared: shared, copied: copied,
                                   onlyFirst: 0, onlySecond: 0, absent: 0, sharedZeroPage: nil, pagesRLE: "")]
        return s
    }

    func evaluateFrames(_ snaps: [SnapshotRecord]) throws -> [ExpectationResult] {
        let text = baseScenario.replacingOccurrences(of: "document:\n", with: """
          - frames: { at: written, region: buf, between: [parent, child] }
            copied: "~ $size ± 1 page"
            shared: "= 0"
        document:

        """)
        let scenario = try ScenarioLoader.parse(text, file: "demo.yaml")
        return ExpectationEvaluator(scenario: scenario, snapshots: snaps, pageSize: 4096,
                                    parameters: ["size": Quantity(bytes: 65536)]).evaluate().filter { $0.kind == "frames" }
    }

    @Test("frame expectations count pages as sizes")
    func frames() throws {
        var snaps = textbook
        snaps[4] = joined("written", shared: 0, copied: 17, mode: "frames")
        let results = try evaluateFrames(snaps)
        #expect(results.count == 2)
        #expect(results.allSatisfy { $0.verdict == .pass }, "\(results.map(\.sentence))")
        snaps[4] = joined("written", shared: 17, copied: 0, mode: "frames")
        #expect(try evaluateFrames(snaps).allSatisfy { $0.verdict == .fail })
    }

    @Test("without frame numbers, frame expectations are skipped with the reason")
    func framesHidden() throws {
        var snaps = textbook
        snaps[4] = joined("written", shared: 17, copied: 0, mode: "inferred")   // would fail if judged
        let results = try evaluateFrames(snaps)
        #expect(results.count == 2)
        #expect(results.allSatisfy { $0.verdict == .skip && $0.sentence.contains("needs root (CAP_SYS_ADMIN)") })
    }
}
