import CowLab
import Foundation
@testable import Reports
import Testing

@Suite("Markdown report and suite index")
struct MarkdownReportTests {
    @Test("the report has its sections in reading order")
    func sections() throws {
        let md = MarkdownReport.render(try ReportFixtures.pass())
        let headings = md.split(separator: "\n").filter { $0.hasPrefix("## ") }.map(String.init)
        #expect(headings == ["## The question", "## The steps", "## What smaps showed", "## The document said, we measured",
                             "## Expectations", "## The mechanism", "## The machine"])
        #expect(md.hasPrefix("# fork-write: A write after fork() copies the touched pages\n\n**Verdict: PASS** · 30 of 30 expectations hold · Linux "))
    }

    @Test("every picture the markdown links to is a file the report writes, by relative name")
    func pictureLinks() throws {
        for (_, record) in try ReportFixtures.cases() {
            let md = MarkdownReport.render(record)
            let written = Set(ReportFiles.pictures(record).map(\.name))
            let linked = Set(md.matches(of: /\]\(([^)\/]+\.svg)\)/).map { String($0.output.1) })
            #expect(!linked.isEmpty)
            #expect(linked.isSubset(of: written), "linked but not written: \(linked.subtracting(written))")
            #expect(md.contains("](\(ReportFiles.timelineName(record.scenario.name)))"))
        }
    }

    @Test("labels where nothing moved say so instead of repeating the table")
    func nothingMoved() throws {
        let md = MarkdownReport.render(try ReportFixtures.pass())
        #expect(md.contains("Nothing moved since `written`"))
        #expect(md.contains("Nothing moved since `child-reads`"))
        #expect(md.contains("- parent `buf`: Pss −34, Shared_Dirty +68, Private_Dirty −68"))
        #expect(md.contains("- child `buf`: appears (new process)"))
    }

    @Test("failures are listed under the verdict, and the document table explains differences")
    func failures() throws {
        let r = try ReportFixtures.fail()
        let md = MarkdownReport.render(r)
        #expect(md.contains("**Verdict: FAIL** · 26 of 30 expectations hold"))
        for e in r.expectations where e.verdict == .fail { #expect(md.contains("- ❌ FAIL \(e.sentence) (line \(e.line))")) }
        #expect(md.contains("| `allocated` | parent | `buf` | Size | 132 kB | 1040 kB | +908 kB | our expectation `>= $size` holds |"))
    }

    @Test("a stopped run shows the reason, the error step, notes and what was not evaluated")
    func troubled() throws {
        let r = try ReportFixtures.troubled()
        let md = MarkdownReport.render(r)
        #expect(md.contains("**Verdict: ERROR** · \(r.reason!)"))
        #expect(md.contains("**error:** \(r.reason!)"))
        #expect(md.contains("Not evaluated:"))
        #expect(md.contains(r.document[0].note!))
        #expect(md.contains("the run did not reach `written`"))
        #expect(md.contains("| `[heap]` |"), "the mapping scope has table rows")
    }

    @Test("a skipped scenario still renders, with its reason")
    func skipped() throws {
        var r = try ReportFixtures.pass()
        r.verdict = .skip
        r.reason = "needs root"
        r.steps = []; r.snapshots = []; r.expectations = []; r.document = []
        let md = MarkdownReport.render(r)
        #expect(md.contains("**Verdict: SKIPPED** · needs root"))
        #expect(md.contains("No step ran: the scenario was skipped."))
        #expect(!md.contains(".svg"))
        #expect(ReportFiles.pictures(r).isEmpty)
    }

    @Test("the suite index has the machine, one linked row per scenario and what did not pass")
    func index() throws {
        let records = try ReportFixtures.cases().map(\.record)
        let md = SuiteIndex.render(records)
        #expect(md.contains("3 scenarios: 1 pass, 1 fail, 1 error."))
        #expect(md.contains("## The machine"))
        for r in records { #expect(md.contains("| [\(r.scenario.name)](\(r.scenario.name).md): \(r.scenario.title) |")) }
        #expect(md.contains("## Not passing"))
        #expect(md.contains("| `buf` Shared_Dirty → Private_Dirty `forked` → `written`: child +68, parent +68 |"))
    }

    @Test("without shifts, the key numbers are the first scope's at the last label")
    func keyNumbersWithoutShifts() throws {
        var r = try ReportFixtures.pass()
        r.expectations.removeAll { $0.kind == "shift" }
        #expect(SuiteIndex.keyNumbers(r)
            == "`buf` at `parent-reads`, Rss / Pss / Shared_Dirty / Private_Dirty: parent 68 / 68 / 0 / 68; child 68 / 68 / 0 / 68")
    }

    @Test("report formats parse from a comma-separated list", arguments: [
        ("md,json", [ReportFormat.md, .json]), ("junit", [.junit]), ("junit,md", [.md, .junit]),
        ("md, json ,junit,md", [.md, .json, .junit]), ("markdown,xml", [.md, .junit]),
    ])
    func formats(text: String, formats: [ReportFormat]) throws {
        #expect(try ReportFormat.parseList(text) == formats)
    }

    @Test("an unknown format is refused by name", arguments: ["html", "md,,json", ""])
    func badFormat(text: String) {
        #expect(throws: ReportFormatError.self) { try ReportFormat.parseList(text) }
    }

    @Test("a label called timeline cannot overwrite the timeline")
    func timelineLabel() {
        #expect(ReportFiles.barsName("s", label: "timeline") != ReportFiles.timelineName("s"))
        #expect(ReportFiles.barsName("s", label: "forked") == "s-forked.svg")
    }
}

@Suite("The machine table")
struct MachineTableTests {
    @Test("fault-around is shown when the record has it, and records without it still render")
    func faultAround() throws {
        var r = try ReportFixtures.pass()
        #expect(!MarkdownReport.render(r).contains("fault-around"))
        r.environment.faultAroundBytes = 65536
        r.environment.faultAroundSource = "fault_around_bytes (debugfs)"
        #expect(MarkdownReport.render(r).contains("| fault-around | 64 kB (fault_around_bytes (debugfs)) |"))
    }
}

@Suite("Expectations not evaluated")
struct NotEvaluatedTests {
    @Test("the verdict line counts them and the report lists why")
    func skippedExpectations() throws {
        var r = try ReportFixtures.pass()
        let i = try #require(r.expectations.lastIndex { $0.kind == "frames" })
        r.expectations[i].verdict = .skip
        r.expectations[i].sentence = "skipped: frame numbers are hidden, this check needs root (CAP_SYS_ADMIN)."
        let md = MarkdownReport.render(r)
        #expect(md.contains("**Verdict: PASS** · 29 of 29 expectations hold, 1 not evaluated · Linux"))
        #expect(md.contains("Not evaluated:\n\n- line \(r.expectations[i].line), `buf` frames: \(r.expectations[i].field!): skipped: frame numbers are hidden"))
    }
}
