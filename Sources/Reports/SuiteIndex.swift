import CowLab

/// The suite index (README.md of an output directory): the machine, a summary,
/// one row per scenario with its verdict, source and key numbers, links to
/// every report, and what did not hold.
public enum SuiteIndex {
    public static func render(_ records: [RunRecord]) -> String {
        var out = Markdown()
        out.line("# cowlab results")
        out.blank()
        let counts = Dictionary(grouping: records, by: \.verdict).mapValues(\.count)
        let summary = [Verdict.pass, .fail, .error, .skip].compactMap { v in counts[v].map { "\($0) \(v == .skip ? "skipped" : v.rawValue)" } }
        let expectations = records.flatMap(\.expectations).filter { $0.verdict != .skip }
        let held = expectations.filter { $0.verdict == .pass }.count
        let claims = records.flatMap(\.document)
        let same = claims.filter { $0.measuredBytes == $0.documentBytes }.count
        var line = "\(records.count) \(records.count == 1 ? "scenario" : "scenarios"): \(summary.joined(separator: ", ")). "
            + "\(held) of \(expectations.count) expectations hold"
        if !claims.isEmpty { line += "; \(same) of \(claims.count) numbers printed by the source documents are the same here" }
        out.paragraph(line + ".")
        if let first = records.first {
            let started = records.map(\.startedAt).min() ?? first.startedAt
            let total = records.reduce(0.0) { $0 + $1.durationSeconds }
            out.paragraph("Run by cowlab \(first.cowlabVersion), starting \(started), \(ReportText.number((total * 1000).rounded() / 1000)) s of measuring in all.")
        }

        out.line("## Scenarios")
        out.blank()
        out.table(["scenario", "verdict", "source", "expectations", "document", "key numbers (kB)"], records.map { r in
            let counted = r.expectations.filter { $0.verdict != .skip }
            let held = counted.filter { $0.verdict == .pass }.count
            let doc = r.document.isEmpty ? "—" : "\(r.document.filter { $0.measuredBytes == $0.documentBytes }.count) / \(r.document.count) same"
            let source = r.scenario.source.document + (r.scenario.source.section.map { ", \($0)" } ?? "")
            return ["[\(r.scenario.name)](\(ReportFiles.markdownName(r.scenario.name))): \(r.scenario.title)",
                    MarkdownReport.mark(r.verdict),
                    r.scenario.source.url.map { "[\(source)](\($0))" } ?? source,
                    r.verdict == .skip || (r.verdict == .error && counted.isEmpty) ? (r.reason ?? "—") : "\(held) / \(counted.count)",
                    doc, keyNumbers(r)]
        })

        let troubled = records.filter { $0.verdict == .fail || $0.verdict == .error || $0.verdict == .skip }
        if !troubled.isEmpty {
            out.line("## Not passing")
            out.blank()
            for r in troubled {
                out.line("- [\(r.scenario.name)](\(ReportFiles.markdownName(r.scenario.name))): \(MarkdownReport.mark(r.verdict))"
                    + (r.reason.map { ": \($0)" } ?? ""))
                let bad = r.expectations.filter { $0.verdict == .fail || $0.verdict == .error }
                for e in bad.prefix(5) { out.line("  - \(e.sentence) (line \(e.line))") }
                if bad.count > 5 { out.line("  - … and \(bad.count - 5) more in the report") }
            }
            out.blank()
        }

        if let env = records.first?.environment {
            out.line("## The machine")
            out.blank()
            out.line(MarkdownReport.environmentTable(env))
            out.blank()
            let others = Set(records.map { "\($0.environment.kernelRelease) \($0.environment.pageSize)" })
            if others.count > 1 {
                out.paragraph("Note: these records come from more than one kernel or page size; each report names its own.")
            }
        }
        out.line("---")
        out.blank()
        out.line("*Each report's numbers come from /proc/PID/smaps of its own run; NAME.json holds every record and "
            + "`cowlab report NAME.json` re-renders the report from it.*")
        return out.text
    }

    /// What the scenario is about, in numbers: its shifts (`` `buf` Shared_Dirty → Private_Dirty,
    /// `forked` → `written`: child 68, parent 68 ``) when it has any, else the Rss, Pss,
    /// Shared_Dirty and Private_Dirty of the first scope at the last label, per process.
    static func keyNumbers(_ r: RunRecord) -> String {
        let shifts = r.expectations.filter { $0.kind == "shift" && $0.observed != nil }
        if !shifts.isEmpty {
            var groups: [(key: String, values: [String])] = []
            for e in shifts {
                let scope = e.scope == "whole process" ? e.scope : "`\(e.scope)`"
                let key = "\(scope) \(e.field ?? "") \(e.labels.map { "`\($0)`" }.joined(separator: " → "))"
                let value = "\(e.process) \(ReportText.signedKB(Int64((e.observed! / 1024).rounded())))"
                if let i = groups.firstIndex(where: { $0.key == key }) { groups[i].values.append(value) } else { groups.append((key, [value])) }
            }
            return groups.map { "\($0.key): \($0.values.joined(separator: ", "))" }.joined(separator: "; ")
        }
        let m = ReportMeasurements(r)
        guard let last = m.shownSnapshots.last, let scope = m.scopes.first(where: { scope in
            last.processes.contains { m.values(scope, in: $0) != nil }
        }) else { return "—" }
        var parts: [String] = []
        for p in last.processes {
            guard let v = m.values(scope, in: p) else { continue }
            parts.append("\(p.name) \(v["Rss"] ?? 0) / \(v["Pss"] ?? 0) / \(v["Shared_Dirty"] ?? 0) / \(v["Private_Dirty"] ?? 0)")
        }
        return "\(scope.markdown) at `\(last.label)`, Rss / Pss / Shared_Dirty / Private_Dirty: " + parts.joined(separator: "; ")
    }
}
