import CowLab

/// The frame-level part of a label's section: how each region's pages relate
/// between two processes (the joins, drawn as a `PageStrip`), whether smaps'
/// figures agree with the frames (the cross-checks), and the page counts per
/// region. All from the record's snapshot, so it re-renders byte for byte.
enum ReportFrames {
    static func hasFrames(_ s: SnapshotRecord) -> Bool {
        !(s.joins ?? []).isEmpty || !(s.crossChecks ?? []).isEmpty || !(s.frames ?? []).isEmpty
    }

    /// The two rows of a join from its run-length text (`S12C4A3`: S shared,
    /// C copied, F only in the first process, O only in the second, A absent).
    /// At most `limit` pages per run (64 GiB of 4 KiB pages), so a corrupt record cannot exhaust memory.
    static func cells(_ rle: String, limit: Int = 1 << 24) -> (first: [PageStrip.Cell], second: [PageStrip.Cell]) {
        var a: [PageStrip.Cell] = [], b: [PageStrip.Cell] = []
        var letter: Character?
        var count = 0
        func flush() {
            guard let l = letter else { return }
            let pair: (PageStrip.Cell, PageStrip.Cell)
            switch l {
            case "S": pair = (.shared, .shared)
            case "C": pair = (.copied, .copied)
            case "F": pair = (.private, .notPresent)
            case "O": pair = (.notPresent, .private)
            default: pair = (.notPresent, .notPresent)
            }
            let n = min(count, limit)
            a += repeatElement(pair.0, count: n)
            b += repeatElement(pair.1, count: n)
        }
        for c in rle {
            if let d = c.wholeNumberValue, c.isASCII {
                count = count > limit ? count : count * 10 + d
            } else {
                flush()
                letter = c
                count = 0
            }
        }
        flush()
        return (a, b)
    }

    /// The page strip of every join at this label, or nil when there is none.
    static func strip(_ r: RunRecord, _ s: SnapshotRecord) -> String? {
        let joins = s.joins ?? []
        guard !joins.isEmpty else { return nil }
        var rows: [PageStrip.Row] = []
        for j in joins {
            let c = cells(j.pagesRLE)
            rows.append(PageStrip.Row(label: "\(j.region) \(j.first)", cells: c.first))
            rows.append(PageStrip.Row(label: "\(j.region) \(j.second)", cells: c.second))
        }
        let inferred = joins.contains { $0.mode != "frames" }
        return PageStrip.svg(rows: rows, title: "\(r.scenario.name) at \(s.label): frame by frame", pageSize: r.environment.pageSize,
                             note: inferred ? "frame numbers hidden (needs root): shared vs copied inferred from pagemap's exclusive bits" : nil)
    }

    static func section(_ r: RunRecord, _ s: SnapshotRecord, picture: String, into out: inout Markdown) {
        let joins = s.joins ?? []
        let checks = s.crossChecks ?? []
        let frames = s.frames ?? []
        guard !joins.isEmpty || !checks.isEmpty || !frames.isEmpty else { return }
        if !joins.isEmpty {
            out.line("Frame by frame (pagemap, kpagecount), in pages:")
            out.blank()
            out.line("![Frame by frame after \(s.label)](\(picture))")
            out.blank()
            out.table(["region", "processes", "compared by", "shared", "copied", "only in the first", "only in the second", "absent in both"],
                      joins.map { j in
                          ["`\(j.region)`", "\(j.first) / \(j.second)", j.mode == "frames" ? "frame numbers" : "exclusive bits (no root)",
                           String(j.shared) + (j.sharedZeroPage.map { $0 > 0 ? " (\($0) zero page)" : "" } ?? ""),
                           String(j.copied), String(j.onlyFirst), String(j.onlySecond), String(j.absent)]
                      })
        }
        let disagree = checks.filter { $0.status == "disagrees" }
        if !disagree.isEmpty {
            out.line("**smaps and the frames disagree:**")
            out.blank()
            for c in disagree { out.line("- \(c.subject) `\(c.region)` \(c.kind): \(c.message)") }
            out.blank()
        }
        if !checks.isEmpty {
            let agree = checks.filter { $0.status == "agrees" }.count
            let skipped = checks.filter { $0.status != "agrees" && $0.status != "disagrees" }.count
            var line = "smaps against the frames: \(agree) of \(checks.count) checks agree"
            if !disagree.isEmpty { line += ", \(disagree.count) disagree" }
            if skipped > 0 { line += ", \(skipped) skipped" }
            out.paragraph(line + ".")
        }
        if !frames.isEmpty || !checks.isEmpty {
            out.line("<details><summary>\(checks.isEmpty ? "Page counts per region" : "Page counts per region, and the cross-checks")</summary>")
            out.blank()
            if !frames.isEmpty {
                func opt(_ v: Int?) -> String { v.map(String.init) ?? "—" }
                out.table(["region", "process", "pages", "present", "swapped", "exclusive", "shared by mapcount", "private by mapcount",
                           "anonymous", "THP", "zero page", "dirty", "distinct frames", "frame numbers"],
                          frames.map { f in
                              ["`\(f.region)`", f.process, String(f.pages), String(f.present), String(f.swapped), String(f.exclusive),
                               opt(f.sharedByMapcount), opt(f.privateByMapcount), opt(f.anonymous), opt(f.thp), opt(f.zeroPage),
                               opt(f.dirty), opt(f.distinctFrames), f.frameNumbers]
                          })
            }
            if !checks.isEmpty {
                let page = r.environment.pageSize
                out.table(["process", "region", "check", "status", "smaps", "frames", "basis", "finding"], checks.map { c in
                    [c.subject, "`\(c.region)`", c.kind, c.status, ReportText.bytes(Double(c.smapsBytes), page),
                     c.frameBytes.map { ReportText.bytes(Double($0), page) } ?? "—", c.basis, c.message]
                })
            }
            out.line("</details>")
            out.blank()
        }
    }
}
