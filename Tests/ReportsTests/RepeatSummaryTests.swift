import CowLab
import Foundation
@testable import Reports
import Testing

@Suite("--repeat summaries")
struct RepeatSummaryTests {
    @Test("identical runs do not flip")
    func steady() throws {
        let r = try ReportFixtures.pass()
        let s = RepeatSummary(scenario: "fork-write", runs: [r, r, r])
        #expect(!s.flipped)
        #expect(s.flips.isEmpty)
        #expect(s.lines == ["fork-write: pass ×3 in 3 runs"])
    }

    @Test("a scenario verdict that differs flips, and names the expectations that did")
    func flipping() throws {
        let pass = try ReportFixtures.pass()
        var fail = pass
        fail.verdict = .fail
        fail.expectations[12].verdict = .fail   // parent buf: Pss ~ Rss / 2 ± 1% at forked
        let s = RepeatSummary(scenario: "fork-write", runs: [pass, fail, pass])
        #expect(s.flipped)
        #expect(s.verdicts == [.pass, .fail, .pass])
        #expect(s.flips.count == 1)
        #expect(s.lines == [
            "fork-write: FLIPS: pass ×2, fail ×1 in 3 runs",
            "  parent buf: Pss ~ Rss / 2 ± 1% at forked: pass, fail, pass",
        ])
    }

    @Test("an expectation that flips under an unchanged scenario verdict still flips")
    func hiddenFlip() throws {
        let a = try ReportFixtures.fail()
        var b = a
        let i = try #require(b.expectations.firstIndex { $0.verdict == .fail })
        let j = try #require(b.expectations.firstIndex { $0.verdict == .pass })
        b.expectations[i].verdict = .pass
        b.expectations[j].verdict = .fail
        let s = RepeatSummary(scenario: "x", runs: [a, b])
        #expect(s.verdicts == [.fail, .fail])
        #expect(s.flipped)
        #expect(s.flips.count == 2)
    }

    @Test("a run that stopped early leaves expectations not evaluated, which is a flip")
    func stoppedEarly() throws {
        let pass = try ReportFixtures.pass()
        var stopped = pass
        stopped.verdict = .error
        stopped.expectations = Array(pass.expectations.prefix(5))
        let s = RepeatSummary(scenario: "fork-write", runs: [pass, stopped])
        #expect(s.flipped)
        #expect(s.flips.count == pass.expectations.count - 5)
        #expect(s.lines[1].hasSuffix(": pass, not evaluated"))
    }
}
