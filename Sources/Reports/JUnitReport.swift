import CowLab

/// JUnit XML, so CI systems list every expectation as a test case: classname
/// is the scenario, name describes the expectation, a failure carries its
/// sentence, a skipped scenario or expectation is `<skipped>`, and a run that
/// could not complete is an `<error>` test case of its own.
public enum JUnitReport {
    /// NAME.junit.xml: a `<testsuites>` holding this scenario's suite.
    public static func render(_ record: RunRecord) -> String {
        document(name: record.scenario.name, suites: [suite(record)], records: [record])
    }

    /// junit.xml for a whole run: one `<testsuite>` per scenario.
    public static func renderSuite(_ records: [RunRecord]) -> String {
        document(name: "cowlab", suites: records.map(suite), records: records)
    }

    struct Case {
        var name: String
        var file: String
        var line: Int?
        /// (element, message, body): failure / error / skipped.
        var outcome: (element: String, message: String, body: String?)?
    }

    struct Suite {
        var name: String
        var time: Double
        var timestamp: String
        var properties: [(String, String)]
        var cases: [Case]

        var failures: Int { cases.filter { $0.outcome?.element == "failure" }.count }
        var errors: Int { cases.filter { $0.outcome?.element == "error" }.count }
        var skipped: Int { cases.filter { $0.outcome?.element == "skipped" }.count }
    }

    static func suite(_ r: RunRecord) -> Suite {
        let env = r.environment
        var cases: [Case] = []
        var names: [String: Int] = [:]
        func unique(_ n: String) -> String {
            names[n, default: 0] += 1
            return names[n]! == 1 ? n : "\(n) [\(names[n]!)]"
        }
        for e in r.expectations {
            var c = Case(name: unique(ReportText.describe(e)), file: r.scenario.file, line: e.line > 0 ? e.line : nil, outcome: nil)
            switch e.verdict {
            case .pass: break
            case .fail: c.outcome = ("failure", e.sentence, e.why.map { "\(e.sentence)\nwhy: \($0)" } ?? e.sentence)
            case .skip: c.outcome = ("skipped", e.sentence, nil)
            case .error: c.outcome = ("error", e.sentence, e.sentence)
            }
            cases.append(c)
        }
        switch r.verdict {
        case .error:
            let reason = r.reason ?? "the run did not complete"
            cases.append(Case(name: unique("\(r.scenario.name): the run completes"), file: r.scenario.file, line: nil,
                              outcome: ("error", reason, reason)))
        case .skip where r.expectations.isEmpty:
            cases.append(Case(name: unique("\(r.scenario.name): skipped"), file: r.scenario.file, line: nil,
                              outcome: ("skipped", r.reason ?? "skipped", nil)))
        default:
            break
        }
        let properties: [(String, String)] = [
            ("verdict", r.verdict.rawValue),
            ("source", r.scenario.source.document + (r.scenario.source.section.map { ", \($0)" } ?? "")),
            ("kernel", "\(env.kernelRelease) \(env.machine)"),
            ("page_size", String(env.pageSize)),
            ("thp", "\(env.thpEnabled) / \(env.thpDefrag)"),
            ("page_mapcount", env.pageMapcount),
            ("cowlab_version", r.cowlabVersion),
        ] + r.parameters.map { ("param." + $0.name, $0.text) }
        return Suite(name: r.scenario.name, time: r.durationSeconds, timestamp: r.startedAt, properties: properties, cases: cases)
    }

    static func document(name: String, suites: [Suite], records: [RunRecord]) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        let tests = suites.reduce(0) { $0 + $1.cases.count }
        let time = suites.reduce(0.0) { $0 + $1.time }
        out += "<testsuites name=\"\(attr(name))\" tests=\"\(tests)\" failures=\"\(suites.reduce(0) { $0 + $1.failures })\""
        out += " errors=\"\(suites.reduce(0) { $0 + $1.errors })\" skipped=\"\(suites.reduce(0) { $0 + $1.skipped })\" time=\"\(seconds(time))\">\n"
        for s in suites {
            out += "  <testsuite name=\"\(attr(s.name))\" tests=\"\(s.cases.count)\" failures=\"\(s.failures)\" errors=\"\(s.errors)\""
            out += " skipped=\"\(s.skipped)\" time=\"\(seconds(s.time))\" timestamp=\"\(attr(s.timestamp))\">\n"
            out += "    <properties>\n"
            for (k, v) in s.properties { out += "      <property name=\"\(attr(k))\" value=\"\(attr(v))\"/>\n" }
            out += "    </properties>\n"
            for c in s.cases {
                out += "    <testcase classname=\"\(attr(s.name))\" name=\"\(attr(c.name))\" file=\"\(attr(c.file))\""
                if let line = c.line { out += " line=\"\(line)\"" }
                out += " time=\"0\""
                guard let o = c.outcome else {
                    out += "/>\n"
                    continue
                }
                out += ">\n"
                if let body = o.body {
                    out += "      <\(o.element) message=\"\(attr(o.message))\" type=\"\(o.element)\">\(text(body))</\(o.element)>\n"
                } else {
                    out += "      <\(o.element) message=\"\(attr(o.message))\"/>\n"
                }
                out += "    </testcase>\n"
            }
            out += "  </testsuite>\n"
        }
        out += "</testsuites>\n"
        return out
    }

    /// Seconds with three decimals at most, no exponent: `0.1`, `12.345`.
    static func seconds(_ t: Double) -> String {
        guard t.isFinite, t >= 0 else { return "0" }
        guard t < 1e12 else { return String(Int64(1e12)) }   // no run takes 30 000 years; keep the number plain
        let ms = Int64((t * 1000).rounded())
        let frac = ms % 1000
        if frac == 0 { return "\(ms / 1000)" }
        var f = String(frac)
        while f.count < 3 { f = "0" + f }
        while f.hasSuffix("0") { f.removeLast() }
        return "\(ms / 1000).\(f)"
    }

    /// Escapes for an attribute value; drops characters XML 1.0 cannot carry.
    static func attr(_ s: String) -> String {
        XMLEscape.escape(s, attribute: true)
    }

    static func text(_ s: String) -> String { XMLEscape.escape(s, attribute: false) }
}
