import CowLab
import Foundation

/// Writes a run's report files into an output directory.
public struct ReportWriter {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// Creates the directory (and parents) if needed.
    public func prepare() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// Writes NAME.md and NAME.json; returns their paths.
    @discardableResult
    public func write(_ record: RunRecord) throws -> [String] {
        let base = (directory as NSString).appendingPathComponent(record.scenario.name)
        let md = base + ".md", json = base + ".json"
        try Data(MarkdownReport.render(record).utf8).write(to: URL(fileURLWithPath: md), options: .atomic)
        try JSONReport.encode(record).write(to: URL(fileURLWithPath: json), options: .atomic)
        return [md, json]
    }

    /// Writes the suite index README.md for a set of runs.
    @discardableResult
    public func writeIndex(_ records: [RunRecord]) throws -> String {
        let path = (directory as NSString).appendingPathComponent("README.md")
        try Data(SuiteIndex.render(records).utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        return path
    }
}

/// The suite index: the machine, then one row per scenario with its verdict and key numbers.
public enum SuiteIndex {
    public static func render(_ records: [RunRecord]) -> String {
        var out = Markdown()
        out.line("# cowlab results")
        out.blank()
        let counts = Dictionary(grouping: records, by: \.verdict).mapValues(\.count)
        let summary = [Verdict.pass, .fail, .error, .skip].compactMap { v in counts[v].map { "\($0) \(v.rawValue)" } }
        out.paragraph("\(records.count) scenarios: \(summary.joined(separator: ", ")).")
        if let env = records.first?.environment {
            out.line("## The machine")
            out.blank()
            out.line(MarkdownReport.environmentTable(env))
            out.blank()
        }
        out.line("## Scenarios")
        out.blank()
        out.table(["scenario", "verdict", "source", "expectations", "key numbers"], records.map { r in
            let counted = r.expectations.filter { $0.verdict != .skip }
            let held = counted.filter { $0.verdict == .pass }.count
            return ["[\(r.scenario.name)](\(r.scenario.name).md): \(r.scenario.title)", MarkdownReport.mark(r.verdict),
                    r.scenario.source.document + (r.scenario.source.section.map { ", \($0)" } ?? ""),
                    r.verdict == .skip || r.verdict == .error ? (r.reason ?? "") : "\(held) / \(counted.count)",
                    keyNumbers(r)]
        })
        return out.text
    }

    /// The last snapshot's Rss / Pss / Shared_Dirty / Private_Dirty of the first region, per process.
    static func keyNumbers(_ r: RunRecord) -> String {
        guard let last = r.snapshots.last else { return "—" }
        var parts: [String] = []
        for p in last.processes {
            guard let reg = p.regions.first else { continue }
            let f = ["Rss", "Pss", "Shared_Dirty", "Private_Dirty"].map { "\($0) \(reg.kB[$0] ?? 0)" }.joined(separator: ", ")
            parts.append("\(p.name) `\(reg.name)` at `\(last.label)`: \(f) kB")
        }
        return parts.isEmpty ? "—" : parts.joined(separator: "; ")
    }
}
