import CowLab
import Foundation

/// The formats `cowlab run --format` and `cowlab report --format` write.
public enum ReportFormat: String, CaseIterable, Sendable, Comparable {
    /// NAME.md, with its pictures NAME-LABEL.svg (one per label), NAME-timeline.svg and,
    /// where frames were joined, NAME-LABEL.frames.svg;
    /// README.md (the suite index) with --all.
    case md
    /// NAME.json: the full run record, from which `cowlab report` re-renders everything.
    case json
    /// NAME.junit.xml: one test case per expectation; junit.xml for the suite with --all.
    case junit

    public static let defaults: [ReportFormat] = [.md, .json]

    public static func < (a: ReportFormat, b: ReportFormat) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// Parses `md,json,junit` (order and repeats do not matter); the error names the bad word.
    public static func parseList(_ text: String) throws(ReportFormatError) -> [ReportFormat] {
        var out: [ReportFormat] = []
        for word in text.split(separator: ",", omittingEmptySubsequences: false) {
            let w = word.trimmingCharacters(in: .whitespaces).lowercased()
            guard let f = ReportFormat(rawValue: w == "markdown" ? "md" : w == "xml" ? "junit" : w) else {
                throw ReportFormatError(word: String(word))
            }
            if !out.contains(f) { out.append(f) }
        }
        return out.sorted()
    }
}

public struct ReportFormatError: Error, CustomStringConvertible, Equatable {
    public var word: String
    public var description: String {
        "unknown report format '\(word)' (formats: \(ReportFormat.allCases.map(\.rawValue).joined(separator: ", ")))"
    }
}

/// One file of a report: its name inside the output directory and its bytes.
public struct ReportFile: Equatable, Sendable {
    public var name: String
    public var contents: Data
}

/// Every file a run's report consists of, as a pure function of the record:
/// rendering the same record twice, or a record decoded from its own JSON,
/// gives the same names and the same bytes.
public enum ReportFiles {
    public static func markdownName(_ scenario: String) -> String { "\(scenario).md" }
    public static func jsonName(_ scenario: String) -> String { "\(scenario).json" }
    public static func junitName(_ scenario: String) -> String { "\(scenario).junit.xml" }
    public static func timelineName(_ scenario: String) -> String { "\(scenario)-timeline.svg" }
    /// NAME-LABEL.svg; a label called `timeline` gets NAME-timeline.bars.svg (labels
    /// cannot contain dots, so that never meets another label's file).
    public static func barsName(_ scenario: String, label: String) -> String {
        label == "timeline" ? "\(scenario)-timeline.bars.svg" : "\(scenario)-\(label).svg"
    }
    /// NAME-LABEL.frames.svg: the page strip of the label's frame joins (a dot, so
    /// it never meets a label's bar chart).
    public static func framesName(_ scenario: String, label: String) -> String { "\(scenario)-\(label).frames.svg" }
    public static let indexName = "README.md"
    public static let suiteJUnitName = "junit.xml"

    /// The files of one run, in a stable order: the markdown, its pictures, the JSON, the JUnit XML.
    public static func render(_ record: RunRecord, formats: [ReportFormat] = ReportFormat.defaults) throws -> [ReportFile] {
        var files: [ReportFile] = []
        let name = record.scenario.name
        if formats.contains(.md) {
            files.append(ReportFile(name: markdownName(name), contents: Data(MarkdownReport.render(record).utf8)))
            files += pictures(record)
        }
        if formats.contains(.json) {
            files.append(ReportFile(name: jsonName(name), contents: try JSONReport.encode(record)))
        }
        if formats.contains(.junit) {
            files.append(ReportFile(name: junitName(name), contents: Data(JUnitReport.render(record).utf8)))
        }
        return files
    }

    /// The SVG pictures the markdown links to.
    public static func pictures(_ record: RunRecord) -> [ReportFile] {
        var files: [ReportFile] = []
        let name = record.scenario.name
        if let timeline = RssPssTimeline.render(record) {
            files.append(ReportFile(name: timelineName(name), contents: Data(timeline.utf8)))
        }
        for s in record.snapshots {
            if let svg = ResidentBarChart.render(record, label: s.label) {
                files.append(ReportFile(name: barsName(name, label: s.label), contents: Data(svg.utf8)))
            }
            if let svg = ReportFrames.strip(record, s) {
                files.append(ReportFile(name: framesName(name, label: s.label), contents: Data(svg.utf8)))
            }
        }
        return files
    }

    /// The suite-level files for several runs: README.md (md) and junit.xml (junit).
    public static func renderSuite(_ records: [RunRecord], formats: [ReportFormat] = ReportFormat.defaults) -> [ReportFile] {
        var files: [ReportFile] = []
        if formats.contains(.md) { files.append(ReportFile(name: indexName, contents: Data(SuiteIndex.render(records).utf8))) }
        if formats.contains(.junit) { files.append(ReportFile(name: suiteJUnitName, contents: Data(JUnitReport.renderSuite(records).utf8))) }
        return files
    }
}

/// Numbers and words as every report prints them.
enum ReportText {
    /// `68 kB`, `12.5 MiB`: as the expectation sentences print sizes.
    static func bytes(_ bytes: Double, _ page: Int) -> String { Quantity.formatBytes(bytes, pageSize: page) }
    static func delta(_ bytes: Double, _ page: Int) -> String { (bytes >= 0 ? "+" : "−") + Self.bytes(abs(bytes), page) }
    static func pages(_ bytes: Double, _ page: Int) -> String {
        guard page > 0 else { return "? pages" }
        let p = bytes / Double(page)
        return p == p.rounded() && abs(p) < 1e15 ? "\(Int64(p)) \(p == 1 ? "page" : "pages")" : "\(number(p)) pages"
    }
    /// An integer when it is one, else the shortest decimal that round-trips.
    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String((v * 1000).rounded() / 1000)
    }
    /// A signed kB difference: `+60`, `−68`.
    static func signedKB(_ d: Int64) -> String { d >= 0 ? "+\(d)" : "−\(-d)" }

    static func verdictWord(_ v: Verdict) -> String {
        switch v {
        case .pass: return "PASS"
        case .fail: return "FAIL"
        case .skip: return "SKIPPED"
        case .error: return "ERROR"
        }
    }

    /// A readable, unique-enough name for one expectation result:
    /// `parent buf: Shared_Dirty = Rss at forked`.
    static func describe(_ e: ExpectationResult) -> String {
        let at = e.labels.count == 2 ? "from \(e.labels[0]) to \(e.labels[1])" : "at \(e.labels.joined(separator: ", "))"
        switch e.kind {
        case "change": return "\(e.process) \(e.scope): change in \(e.field ?? "") \(e.condition) \(at)"
        case "shift": return "\(e.process) \(e.scope): \(e.field ?? "") shift \(e.condition) \(at)"
        case "presence": return "\(e.process) \(e.scope): \(e.condition) \(at)"
        case "content": return "\(e.process) \(e.scope): \(e.condition) \(at)"
        case "frames": return "\(e.process) \(e.scope): frames \(e.field ?? "") \(e.condition) \(at)"
        default: return "\(e.process) \(e.scope): \(e.field ?? "") \(e.condition) \(at)"
        }
    }
}
