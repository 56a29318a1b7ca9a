import CowLab
import Foundation

/// The lab report a reader sees: a pure function of the run record, so the
/// same record always renders the same bytes.
public enum MarkdownReport {
    public static func render(_ r: RunRecord) -> String {
        var out = Markdown()
        let page = r.environment.pageSize
        out.line("# \(r.scenario.name): \(r.scenario.title)")
        out.blank()
        out.line(verdictLine(r))
        out.blank()
        var source = "Source: *\(r.scenario.source.document)*"
        if let s = r.scenario.source.section { source += ", \(s)" }
        if let u = r.scenario.source.url { source += " (<\(u)>)" }
        out.line("> \(source)")
        out.blank()

        out.line("## The question")
        out.blank()
        out.paragraph(r.scenario.question)

        out.line("## The machine")
        out.blank()
        out.line(environmentTable(r.environment))
        out.blank()

        if !r.parameters.isEmpty {
            out.line("## Parameters")
            out.blank()
            out.table(["parameter", "value", "bytes"], r.parameters.map { p in
                [p.name, "`\(p.text)`" + (p.overridden ? " (set)" : ""), p.isSize ? fmt(p.bytes, page) + " (\(pages(p.bytes, page)))" : Self.num(p.bytes)]
            })
        }

        out.line("## Steps")
        out.blank()
        out.table(["#", "label", "process", "what", "subject replied"], r.steps.map { s in
            [String(s.index + 1), "`\(s.label)`", s.process ?? "observer", s.description,
             s.error.map { "**error:** \($0)" } ?? replyText(s.reply)]
        })

        regionSections(r, into: &out)

        out.line("## Expectations")
        out.blank()
        if r.expectations.isEmpty {
            out.paragraph("No expectation was evaluated.")
        } else {
            out.table(["", "process", "what", "labels", "condition", "observed", "expected"], r.expectations.map { e in
                [mark(e.verdict), e.process, what(e), e.labels.map { "`\($0)`" }.joined(separator: " → "), "`\(e.condition)`",
                 e.observed.map { e.kind == "change" || e.kind == "shift" ? delta($0, page) : fmt($0, page) } ?? "—",
                 e.expected.map { fmt($0, page) } ?? "—"]
            })
            for e in r.expectations where e.verdict != .pass {
                out.line("- \(mark(e.verdict)) \(e.sentence)" + (e.why.map { " *\($0)*" } ?? ""))
            }
            if r.expectations.contains(where: { $0.verdict != .pass }) { out.blank() }
        }

        if !r.document.isEmpty {
            out.line("## The document said, we measured")
            out.blank()
            out.table(["label", "process", "scope", "field", "document", "measured here", "difference"], r.document.map { c in
                let measured = c.measuredBytes.map { fmt($0, page) } ?? "not measured"
                let diff = c.measuredBytes.map { $0 == c.documentBytes ? "same" : delta($0 - c.documentBytes, page) } ?? "—"
                return ["`\(c.label)`", c.process, c.scope, c.field, c.documentText, measured, diff + (c.note.map { " (\($0))" } ?? "")]
            })
        }

        if !r.scenario.explanation.isEmpty {
            out.line("## Why")
            out.blank()
            out.paragraph(r.scenario.explanation)
        }
        out.line("---")
        out.line("*Measured by cowlab \(r.cowlabVersion) at \(r.startedAt) in \(Self.num(r.durationSeconds)) s. "
            + "Every number above comes from /proc/PID/smaps of this run; `\(r.scenario.name).json` holds the full record.*")
        return out.text
    }

    static func verdictLine(_ r: RunRecord) -> String {
        let env = r.environment
        let counted = r.expectations.filter { $0.verdict != .skip }
        let held = counted.filter { $0.verdict == .pass }.count
        var s = "**Verdict: \(r.verdict.rawValue.uppercased())**"
        switch r.verdict {
        case .pass: s += ": \(held) of \(counted.count) expectations hold"
        case .fail: s += ": \(held) of \(counted.count) expectations hold"
        case .skip, .error: s += ": \(r.reason ?? "")"
        }
        if r.verdict == .fail, let reason = r.reason { s += " (\(reason))" }
        s += " · Linux \(env.kernelRelease) \(env.machine) · \(env.pageSize / 1024) KiB pages · THP \(env.thpEnabled)"
        return s
    }

    static func environmentTable(_ e: EnvironmentRecord) -> String {
        var m = Markdown()
        m.table(["kernel", "page size", "THP (enabled / defrag)", "mTHP sizes on", "page mapcount", "swap", "KSM", "root", "data directory"], [[
            "\(e.kernelRelease) (\(e.machine))", "\(e.pageSize / 1024) KiB",
            "\(e.thpEnabled) / \(e.thpDefrag)" + (e.thpPmdSize.map { ", PMD \($0 / 1024 / 1024) MiB" } ?? ""),
            e.mthpSizesEnabled.isEmpty ? "none" : e.mthpSizesEnabled.joined(separator: ", "),
            e.pageMapcount, e.swapActive ? "\(e.swapTotalKiB) kB" : "none",
            e.ksmRunning.map { $0 ? "running" : "off" } ?? "unavailable", e.root ? "yes" : "no",
            "\(e.dataDirectory) (\(e.dataFileSystem)" + (e.readaheadKiB.map { ", readahead \($0) kB" } ?? "") + ")",
        ]])
        return m.text.trimmingTrailingNewlines
    }

    /// Per region: where it lies, its fields per label and process, and the changes.
    static func regionSections(_ r: RunRecord, into out: inout Markdown) {
        let page = r.environment.pageSize
        var names: [String] = []
        for s in r.snapshots { for p in s.processes { for reg in p.regions where !names.contains(reg.name) { names.append(reg.name) } } }
        guard !names.isEmpty else { return }
        out.line("## Measurements")
        out.blank()
        out.paragraph("Fields of the mappings that cover each region, in kB as smaps prints them, after each step, "
            + "for every live process. A region is found by the address range the subject reported, "
            + "so when it shares a mapping with other data (the malloc heap), the mapping's numbers include that data.")
        for name in names {
            out.line("### `\(name)`")
            out.blank()
            if let first = r.snapshots.lazy.compactMap({ s in s.processes.lazy.compactMap { $0.region(name).map { (p: $0, owner: s.processes) } }.first }).first {
                let reg = first.p
                out.paragraph("`\(reg.name)`: \(fmt(Double(reg.length), page)) (\(pages(Double(reg.length), page))) at 0x\(reg.start), \(reg.origin).")
            }
            var rows: [[String]] = []
            for s in r.snapshots {
                for p in s.processes {
                    guard let reg = p.region(name) else { continue }
                    let where_ = reg.mappingIndexes.map { i -> String in
                        let m = p.mappings[i]
                        return (m.pathname.isEmpty ? "anon" : m.pathname) + " " + m.permissions
                    }.joined(separator: ", ")
                    rows.append(["`\(s.label)`", "\(p.name) (\(p.pid))", where_.isEmpty ? "not mapped" : where_]
                        + SmapsFieldNames.reported.map { reg.kB[$0].map(String.init) ?? "—" })
                }
            }
            out.table(["label", "process", "mapping"] + SmapsFieldNames.reported, rows)
            var changes: [[String]] = []
            var procs: [String] = []
            for s in r.snapshots { for p in s.processes where !procs.contains(p.name) { procs.append(p.name) } }
            for proc in procs {
                var previous: (label: String, kB: [String: UInt64])?
                for s in r.snapshots {
                    guard let reg = s.process(proc)?.region(name) else { previous = nil; continue }
                    if let prev = previous {
                        let moved = SmapsFieldNames.reported.compactMap { f -> String? in
                            let d = Int64(reg.kB[f] ?? 0) - Int64(prev.kB[f] ?? 0)
                            return d == 0 ? nil : "\(f) \(d > 0 ? "+" : "−")\(abs(d))"
                        }
                        if !moved.isEmpty { changes.append(["`\(prev.label)` → `\(s.label)`", proc, moved.joined(separator: ", ")]) }
                    }
                    previous = (s.label, reg.kB)
                }
            }
            if !changes.isEmpty {
                out.line("Changes (kB):")
                out.blank()
                out.table(["between", "process", "fields that moved"], changes)
            }
        }
    }

    static func what(_ e: ExpectationResult) -> String {
        switch e.kind {
        case "shift": return "\(e.scope): \(e.field ?? "") shift"
        case "change": return "\(e.scope): change in \(e.field ?? "")"
        case "presence": return "\(e.scope) \(e.condition)"
        case "content": return "\(e.scope): bytes"
        default: return "\(e.scope): \(e.field ?? "")"
        }
    }

    static func mark(_ v: Verdict) -> String {
        switch v {
        case .pass: return "✅ pass"
        case .fail: return "❌ FAIL"
        case .skip: return "⏭ skip"
        case .error: return "⚠️ error"
        }
    }

    static func replyText(_ reply: [String: String]) -> String {
        reply.keys.sorted().map { "\($0)=\(reply[$0]!)" }.joined(separator: " ")
    }

    static func fmt(_ bytes: Double, _ page: Int) -> String { Quantity.formatBytes(bytes, pageSize: page) }
    static func delta(_ bytes: Double, _ page: Int) -> String { (bytes >= 0 ? "+" : "−") + fmt(abs(bytes), page) }
    static func pages(_ bytes: Double, _ page: Int) -> String {
        let p = bytes / Double(page)
        return p == p.rounded() ? "\(Int(p)) \(p == 1 ? "page" : "pages")" : "\(num(p)) pages"
    }
    static func num(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String((v * 1000).rounded() / 1000)
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
