import CowLab
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import Reports
import Testing

/// Reads JUnit XML back with Foundation's parser: the test cases and what each carries.
final class JUnitReader: NSObject, XMLParserDelegate {
    struct Case { var classname = "", name = "", outcome: String?, message: String?, body = "" }
    var suites: [[String: String]] = []
    var cases: [Case] = []
    var inOutcome = false

    static func read(_ xml: String) throws -> JUnitReader {
        let reader = JUnitReader()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = reader
        guard parser.parse() else { throw parser.parserError ?? CocoaError(.fileReadCorruptFile) }
        return reader
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        switch name {
        case "testsuite": suites.append(attributes)
        case "testcase": cases.append(Case(classname: attributes["classname"] ?? "", name: attributes["name"] ?? ""))
        case "failure", "error", "skipped":
            cases[cases.count - 1].outcome = name
            cases[cases.count - 1].message = attributes["message"]
            inOutcome = true
        default: break
        }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if ["failure", "error", "skipped"].contains(name) { inOutcome = false }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inOutcome { cases[cases.count - 1].body += string }
    }
}

@Suite("JUnit XML")
struct JUnitReportTests {
    @Test("one test case per expectation, named readably, classname the scenario")
    func passing() throws {
        let r = try ReportFixtures.pass()
        let junit = try JUnitReader.read(JUnitReport.render(r))
        #expect(junit.cases.count == r.expectations.count)
        #expect(junit.cases.allSatisfy { $0.classname == "fork-write" && $0.outcome == nil })
        #expect(junit.cases.contains { $0.name == "parent buf: Shared_Dirty = Rss at forked" })
        #expect(junit.cases.contains { $0.name == "child buf: Shared_Dirty → Private_Dirty shift ~ $size ± 2 pages from forked to written" })
        #expect(Set(junit.cases.map(\.name)).count == junit.cases.count, "test case names are unique")
        #expect(junit.suites.first?["tests"] == String(r.expectations.count))
        #expect(junit.suites.first?["failures"] == "0")
    }

    @Test("a failure carries the expectation's sentence")
    func failing() throws {
        let r = try ReportFixtures.fail()
        let junit = try JUnitReader.read(JUnitReport.render(r))
        let failed = junit.cases.filter { $0.outcome == "failure" }
        let sentences = r.expectations.filter { $0.verdict == .fail }.map(\.sentence)
        #expect(failed.count == 4)
        #expect(failed.compactMap(\.message) == sentences)
        #expect(failed.allSatisfy { $0.body.contains($0.message ?? "∅") })
        #expect(junit.suites.first?["failures"] == "4")
    }

    @Test("expectations not evaluated are skipped, and a run that stopped is an error")
    func troubled() throws {
        let r = try ReportFixtures.troubled()
        let junit = try JUnitReader.read(JUnitReport.render(r))
        let skipped = junit.cases.filter { $0.outcome == "skipped" }
        #expect(skipped.count == r.expectations.filter { $0.verdict == .skip }.count)
        #expect(skipped.count > 0)
        let errors = junit.cases.filter { $0.outcome == "error" }
        #expect(errors.count == 1)
        #expect(errors.first?.message == r.reason)
        #expect(junit.cases.count == r.expectations.count + 1)
        #expect(junit.suites.first?["errors"] == "1")
        #expect(junit.suites.first?["skipped"] == String(skipped.count))
    }

    @Test("a skipped scenario is one skipped test case with its reason")
    func skippedScenario() throws {
        var r = try ReportFixtures.pass()
        r.verdict = .skip
        r.reason = "needs active swap; this machine has none (SwapTotal 0)"
        r.expectations = []
        r.snapshots = []
        r.steps = []
        r.document = []
        let junit = try JUnitReader.read(JUnitReport.render(r))
        #expect(junit.cases.count == 1)
        #expect(junit.cases.first?.outcome == "skipped")
        #expect(junit.cases.first?.message == r.reason)
    }

    @Test("the suite file holds one testsuite per scenario, with totals")
    func suite() throws {
        let records = try ReportFixtures.cases().map(\.record)
        let xml = JUnitReport.renderSuite(records)
        let junit = try JUnitReader.read(xml)
        #expect(junit.suites.map { $0["name"] } == records.map(\.scenario.name))
        let total = records.reduce(0) { $0 + $1.expectations.count } + 1   // + the troubled run's error
        #expect(junit.cases.count == total)
        #expect(xml.contains("<testsuites name=\"cowlab\" tests=\"\(total)\" failures=\"5\" errors=\"1\""))
    }

    @Test("markup and control characters are escaped; the document still parses")
    func escaping() throws {
        var r = try ReportFixtures.fail()
        let nasty = "a < b && c > \"d\" 'e'\u{01}\u{0B} ]]> </failure>\nnext line"
        r.expectations[0].verdict = .fail
        r.expectations[0].sentence = nasty
        r.scenario.file = "Scenarios/<odd> & \"name\".yaml"
        let junit = try JUnitReader.read(JUnitReport.render(r))
        #expect(junit.cases[0].message == "a < b && c > \"d\" 'e' ]]> </failure>\nnext line")
    }

    @Test("durations print with at most three decimals", arguments: [
        (0.0, "0"), (0.078, "0.078"), (0.1, "0.1"), (12.3456, "12.346"), (3.0, "3"), (0.0001, "0"), (-1.0, "0"),
    ])
    func seconds(value: Double, text: String) {
        #expect(JUnitReport.seconds(value) == text)
    }
}
