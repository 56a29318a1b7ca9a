import CowLab
import Foundation

/// The lab report a reader sees: a pure function of the run record, so the
/// same record always renders the same bytes. Pictures are linked by relative
/// name (see `ReportFiles`); they are written beside the report.
public enum MarkdownReport {
    public static func render(_ r: RunRecord) -> String {
        var out = Markdown()
        let m = ReportMeasurements(r)
        out.line("# \(r.scenario.name): \(r.scenario.title)")
        out.blank()
        out.line(verdictLine(r))
        out.blank()
        var source = "Source: *\(r.scenario.source.document)*"
        if let s = r.scenario.source.section { source += ", \(s)" }
        if let u = r.scenario.source.url { source += " (<\(u)>)" }
        out.line("> \(source)")
        out.blank()
        let notHeld = r.expectations.filter { $0.verdict == .fail || $0.verdict == .error }
        if !notHeld.isEmpty {
            out.line("**What did not hold:**")
            out.blank()
            for e in notHeld { out.line("- \(mark(e.verdict)) \(e.sentence) (line \(e.line))") }
            out.blank()
        }

        out.line("## The question")
        out.blank()
        out.paragraph(r.scenario.question)

        stepsSection(r, into: &out)
        measurementSections(r, m, into: &out)
        documentSection(r, m, into: &out)
        expectationSection(r, into: &out)

        if !r.scenario.explanation.isEmpty {
            out.line("## The mechanism")
            out.blank()
            out.paragraph(r.scenario.explanation)
        }

        out.line("## The machine")
        out.blank()
        out.line(environmentTable(r.environment))
        out.blank()
        if !r.scenario.requirements.isEmpty {
            out.paragraph("The scenario requires: \(r.scenario.requirements.joined(separator: ", ")).")
        }
        out.line("---")
        out.blank()
        out.line("*Measured by cowlab \(r.cowlabVersion) at \(r.startedAt) in \(ReportText.number(r.durationSeconds)) s from `\(r.scenario.file)`. "
            + "Every number above comes from /proc/PID/smaps of this run, per mapping, in kB as the kernel prints it "
            + "(Pss is the per-mapping value, which the kernel truncates to whole kB; smaps_rollup would sum it more precisely). "
            + "`\(ReportFiles.jsonName(r.scenario.name))` holds the full record; `cowlab report` re-renders this page from it.*")
        return out.text
    }

    /// `**PASS** · 26 of 26 expectations hold · Linux 6.18.44 x86_64 · 4 KiB pages · THP madvise · PAGE_MAPCOUNT`
    static func verdictLine(_ r: RunRecord) -> String {
        let env = r.environment
        let counted = r.expectations.filter { $0.verdict != .skip }
        let held = counted.filter { $0.verdict == .pass }.count
        var s = "**Verdict: \(ReportText.verdictWord(r.verdict))**"
        switch r.verdict {
        case .pass, .fail:
            s += " · \(held) of \(counted.count) expectations hold"
            let skipped = r.expectations.count - counted.count
            if skipped > 0 { s += ", \(skipped) not evaluated" }
        case .skip: s += " · \(r.reason ?? "skipped")"
        case .error: s += " · \(r.reason ?? "the run did not complete")"
        }
        s += " · Linux \(env.kernelRelease) \(env.machine) · \(env.pageSize / 1024) KiB pages · THP \(env.thpEnabled) · \(env.pageMapcount)"
        return s
    }

    static func environmentTable(_ e: EnvironmentRecord) -> String {
        var m = Markdown()
        m.table(["", ""], [
            ["kernel", "Linux \(e.kernelRelease) (\(e.machine))"],
            ["page size", "\(e.pageSize / 1024) KiB"],
            ["transparent huge pages", "enabled: \(e.thpEnabled), defrag: \(e.thpDefrag)"
                + (e.thpPmdSize.map { ", PMD size \($0 / 1024 / 1024) MiB" } ?? "")],
            ["mTHP sizes on", e.mthpSizesEnabled.isEmpty ? "none" : e.mthpSizesEnabled.joined(separator: ", ")],
            ["page mapcount", e.pageMapcount],
            ["swap", e.swapActive ? "\(e.swapTotalKiB) kB" : "none"],
            ["KSM", e.ksmRunning.map { $0 ? "running" : "off" } ?? "unavailable"],
        ] + damonRows(e) + [
            ["root", e.root ? "yes" : "no"],
            ["data directory", "\(e.dataDirectory) (\(e.dataFileSystem)" + (e.readaheadKiB.map { ", readahead \($0) kB" } ?? "") + ")"],
            ["memory available at start", "\(e.memAvailableKiB) kB"],
        ] + faultAroundRows(e))
        return m.text.trimmingTrailingNewlines
    }

    static func damonRows(_ e: EnvironmentRecord) -> [[String]] {
        guard let threads = e.damonThreads else { return [] }
        return [["DAMON", threads.isEmpty ? "not running" : "running (\(threads.joined(separator: ", "))): it samples accessed bits, which can move `Referenced`"]]
    }

    static func faultAroundRows(_ e: EnvironmentRecord) -> [[String]] {
        guard let bytes = e.faultAroundBytes else { return [] }
        let source: String = e.faultAroundSource.map { " (\($0))" } ?? ""
        return [["fault-around", "\(bytes / 1024) kB" + source]]
    }

    static func stepsSection(_ r: RunRecord, into out: inout Markdown) {
        let page = r.environment.pageSize
        out.line("## The steps")
        out.blank()
        if !r.parameters.isEmpty {
            let list = r.parameters.map { p in
                "`\(p.name)` = `\(p.text)`" + (p.isSize ? " = \(ReportText.bytes(p.bytes, page)) (\(ReportText.pages(p.bytes, page)))" : "")
                    + (p.overridden ? " (set on the command line)" : "")
            }
            out.paragraph("Parameters: " + list.joined(separator: "; ") + ".")
        }
        if r.steps.isEmpty {
            out.paragraph(r.verdict == .skip ? "No step ran: the scenario was skipped." : "No step ran.")
            return
        }
        out.table(["#", "label", "process", "what", "the subject replied"], r.steps.map { s in
            [String(s.index + 1), "`\(s.label)`", s.process ?? "observer", s.description + (s.why.map { " — \($0)" } ?? ""),
             s.error.map { "**error:** \($0)" } ?? replyText(s.reply)]
        })
    }

    /// One section per label: the bar chart, the fields of every scope in every
    /// process, and what moved since the previous label.
    static func measurementSections(_ r: RunRecord, _ m: ReportMeasurements, into out: inout Markdown) {
        let shown = m.shownSnapshots
        guard !shown.isEmpty else { return }
        let name = r.scenario.name
        let fields = m.tableFields
        out.line("## What smaps showed")
        out.blank()
        var intro = "Fields of the mappings that cover each region, in kB as smaps prints them, after each step, for every live process. "
            + "A region is found by the address range the subject reported, so when it shares a mapping with other data "
            + "(the malloc heap), the mapping's numbers include that data."
        let omitted = m.omittedFields
        if !omitted.isEmpty { intro += " Left out because they stay 0 throughout: \(omitted.joined(separator: ", "))." }
        out.paragraph(intro)
        out.line("![Rss and Pss of each process after each step](\(ReportFiles.timelineName(name)))")
        out.blank()

        var previous: (label: String, rows: [[String]], frames: SnapshotRecord)?
        for s in shown {
            let step = m.step(for: s)
            let heading = step.map { "After step \($0.index + 1), `\(s.label)`: \($0.process ?? "observer"), \($0.description)" }
                ?? "`\(s.label)`: before the first step"
            out.line("### \(heading)")
            out.blank()
            var rows: [[String]] = []
            for scope in m.scopes {
                for p in s.processes {
                    guard let v = m.values(scope, in: p) else { continue }
                    rows.append([scope.markdown, "\(p.name) (\(p.pid))", m.mappingText(scope, in: p)] + fields.map { v[$0].map(String.init) ?? "—" })
                }
            }
            let picture = ReportFiles.barsName(name, label: s.label)
            let framesSame = previous.map { $0.frames.joins == s.joins && $0.frames.frames == s.frames && $0.frames.crossChecks == s.crossChecks }
            if let prev = previous, prev.rows == rows, framesSame == true {
                out.paragraph("Nothing moved since `\(prev.label)`: every field of every process is the same ([chart](\(picture))).")
                previous = (s.label, rows, s)
                continue
            }
            out.line("![Shared and Private, Clean and Dirty, per process after \(s.label)](\(picture))")
            out.blank()
            out.table(["scope", "process (pid)", "mapping"] + fields, rows)
            if let prev = r.snapshots.firstIndex(where: { $0.label == s.label }).flatMap({ $0 > 0 ? r.snapshots[$0 - 1] : nil }) {
                let moved = changes(m, from: prev, to: s)
                if !moved.isEmpty {
                    out.line("Moved since `\(prev.label)` (kB):")
                    out.blank()
                    for line in moved { out.line("- \(line)") }
                    out.blank()
                }
            }
            ReportFrames.section(r, s, picture: ReportFiles.framesName(name, label: s.label), into: &out)
            previous = (s.label, rows, s)
        }
    }

    /// `parent `buf`: Pss −34, Shared_Dirty +68, Private_Dirty −68`, per process and scope.
    static func changes(_ m: ReportMeasurements, from a: SnapshotRecord, to b: SnapshotRecord) -> [String] {
        var lines: [String] = []
        for scope in m.scopes {
            for p in b.processes {
                let now = m.values(scope, in: p)
                let before = a.process(p.name).flatMap { m.values(scope, in: $0) }
                switch (before, now) {
                case (nil, nil): continue
                case (nil, .some):
                    lines.append("\(p.name) \(scope.markdown): appears" + (a.process(p.name) == nil ? " (new process)" : ""))
                case (.some, nil):
                    lines.append("\(p.name) \(scope.markdown): gone")
                case (.some(let x), .some(let y)):
                    let moved = SmapsFieldNames.reported.compactMap { f -> String? in
                        let d = Int64(y[f] ?? 0) - Int64(x[f] ?? 0)
                        return d == 0 ? nil : "\(f) \(ReportText.signedKB(d))"
                    }
                    if !moved.isEmpty { lines.append("\(p.name) \(scope.markdown): " + moved.joined(separator: ", ")) }
                }
            }
            for p in a.processes where b.process(p.name) == nil && m.values(scope, in: p) != nil {
                lines.append("\(p.name) \(scope.markdown): gone (the process exited)")
            }
        }
        return lines
    }

    static func documentSection(_ r: RunRecord, _ m: ReportMeasurements, into out: inout Markdown) {
        guard !r.document.isEmpty else { return }
        let page = r.environment.pageSize
        out.line("## The document said, we measured")
        out.blank()
        let same = r.document.filter { $0.measuredBytes == $0.documentBytes }.count
        out.paragraph("\(same) of \(r.document.count) numbers the source document printed are the same here.")
        out.table(["at", "process", "scope", "field", "the document said", "we measured", "difference", "why"], r.document.map { c in
            let measured = c.measuredBytes.map { ReportText.bytes($0, page) } ?? "not measured"
            let diff = c.measuredBytes.map { $0 == c.documentBytes ? "same" : ReportText.delta($0 - c.documentBytes, page) } ?? "—"
            return ["`\(c.label)`", c.process, c.scope == "whole process" ? c.scope : "`\(c.scope)`", c.field, c.documentText,
                    measured, diff, claimWhy(c, r)]
        })
    }

    /// The scenario's note for a claim; else, when the numbers differ, what our
    /// own expectation on that field says about it.
    static func claimWhy(_ c: ClaimResult, _ r: RunRecord) -> String {
        if let note = c.note { return note }
        guard let measured = c.measuredBytes else { return "the run did not reach `\(c.label)`" }
        if measured == c.documentBytes { return "—" }
        let related = r.expectations.filter {
            $0.process == c.process && $0.scope == c.scope && $0.field == c.field && $0.labels == [c.label]
        }
        if related.isEmpty { return "the scenario gives no reason" }
        return related.map { e in
            "our expectation `\(e.condition)` " + (e.verdict == .pass ? "holds" : e.verdict == .fail ? "does not hold" : e.verdict.rawValue)
        }.joined(separator: "; ")
    }

    static func expectationSection(_ r: RunRecord, into out: inout Markdown) {
        let page = r.environment.pageSize
        out.line("## Expectations")
        out.blank()
        guard !r.expectations.isEmpty else {
            out.paragraph("No expectation was evaluated" + (r.reason.map { ": \($0)" } ?? "."))
            return
        }
        out.table(["line", "verdict", "process", "what", "at", "condition", "observed", "expected"], r.expectations.map { e in
            [String(e.line), mark(e.verdict), e.process, what(e), e.labels.map { "`\($0)`" }.joined(separator: " → "), "`\(e.condition)`",
             e.observed.map { e.kind == "change" || e.kind == "shift" ? ReportText.delta($0, page) : ReportText.bytes($0, page) } ?? "—",
             e.expected.map { ReportText.bytes($0, page) } ?? "—"]
        })
        var seen = Set<Int>()
        var whys: [String] = []
        for e in r.expectations {
            guard let why = e.why, seen.insert(e.line).inserted else { continue }
            whys.append("- line \(e.line), \(e.labels.count == 1 ? "at" : "between") \(e.labels.map { "`\($0)`" }.joined(separator: " and ")): \(why)")
        }
        if !whys.isEmpty {
            out.line("Why, as the scenario says:")
            out.blank()
            for w in whys { out.line(w) }
            out.blank()
        }
        let skipped = r.expectations.filter { $0.verdict == .skip }
        if !skipped.isEmpty {
            out.line("Not evaluated:")
            out.blank()
            for e in skipped { out.line("- line \(e.line), \(what(e)): \(e.sentence)") }
            out.blank()
        }
    }

    static func what(_ e: ExpectationResult) -> String {
        let scope = e.scope == "whole process" ? e.scope : "`\(e.scope)`"
        switch e.kind {
        case "shift": return "\(scope): \(e.field ?? "") shift"
        case "change": return "\(scope): change in \(e.field ?? "")"
        case "presence": return "\(scope) \(e.condition)"
        case "content": return "\(scope): bytes"
        case "frames": return "\(scope) frames: \(e.field ?? "")"
        default: return "\(scope): \(e.field ?? "")"
        }
    }

    static func mark(_ v: Verdict) -> String {
        switch v {
        case .pass: return "✅ pass"
        case .fail: return "❌ FAIL"
        case .skip: return "⏭ skipped"
        case .error: return "⚠️ error"
        }
    }

    // The number formatters, under the names other renderers in this module have used.
    static func fmt(_ bytes: Double, _ page: Int) -> String { ReportText.bytes(bytes, page) }
    static func delta(_ bytes: Double, _ page: Int) -> String { ReportText.delta(bytes, page) }
    static func pages(_ bytes: Double, _ page: Int) -> String { ReportText.pages(bytes, page) }
    static func num(_ v: Double) -> String { ReportText.number(v) }

    static func replyText(_ reply: [String: String]) -> String {
        reply.keys.sorted().map { "\($0)=\(reply[$0]!)" }.joined(separator: " ")
    }
}

/// A tiny markdown writer: lines, paragraphs and pipe tables with escaped cells.
struct Markdown {
    var text = ""

    mutating func line(_ s: String) { text += s + "\n" }
    mutating func blank() { text += "\n" }
    mutating func paragraph(_ s: String) {
        text += s.trimmingTrailingNewlines + "\n\n"
    }
    mutating func table(_ header: [String], _ rows: [[String]]) {
        func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
        line("| " + header.map(cell).joined(separator: " | ") + " |")
        line("|" + header.map { _ in " --- " }.joined(separator: "|") + "|")
        for r in rows { line("| " + r.map(cell).joined(separator: " | ") + " |") }
        blank()
    }
}

extension String {
    var trimmingTrailingNewlines: String {
        var s = self
        while s.hasSuffix("\n") || s.hasSuffix(" ") { s.removeLast() }
        return s
    }
}
