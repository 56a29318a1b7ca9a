import CowLab

/// Rss and Pss over the steps: one panel per scope and process, the labels in
/// order along the x axis, every panel of one scope on the same scale. A
/// missing point means the process, or the region in it, did not exist then.
public enum RssPssTimeline {
    /// The SVG, or nil when the record measured nothing.
    public static func render(_ record: RunRecord) -> String? {
        let m = ReportMeasurements(record)
        let snapshots = m.shownSnapshots
        guard !snapshots.isEmpty else { return nil }

        let width = 800.0, margin = 16.0, font = 12.0
        let plotLeft = 88.0, plotRight = width - margin - 8
        let plotHeight = 120.0, topPad = 18.0
        let pitch = (plotRight - plotLeft) / Double(snapshots.count)
        let labels = snapshots.map(\.label)
        let widest = labels.map { ReportSVG.textWidth($0, size: 11) }.max() ?? 0
        let rotate = widest > pitch - 6
        let pssText = "#a94400"   // the Pss colour, darkened for text contrast on white

        // Panels: (scope, process) pairs that have a value at some label.
        var panels: [(scope: ReportScope, process: String, pid: Int32)] = []
        for scope in m.scopes {
            for name in m.processes {
                var pid: Int32?
                for s in snapshots {
                    if let p = s.process(name), m.values(scope, in: p) != nil { pid = p.pid; break }
                }
                if let pid { panels.append((scope, name, pid)) }
            }
        }

        var svg = ReportSVG(width: Int(width), height: 0)
        var y = margin + 14
        svg.text("\(record.scenario.name): Rss and Pss after each step", x: margin, y: y, size: 15, bold: true)
        y += 24
        // Legend.
        svg.line(x1: margin, y1: y - 4, x2: margin + 30, y2: y - 4, stroke: ReportSVG.rssColour, width: 3)
        svg.circle(cx: margin + 15, cy: y - 4, r: 4, fill: ReportSVG.rssColour)
        svg.text("Rss", x: margin + 36, y: y, size: font)
        let px = margin + 36 + ReportSVG.textWidth("Rss", size: font) + 22
        svg.line(x1: px, y1: y - 4, x2: px + 30, y2: y - 4, stroke: ReportSVG.pssColour, width: 2, dash: "6 4")
        svg.rect(x: px + 11.5, y: y - 7.5, w: 7, h: 7, fill: ReportSVG.pssColour)
        svg.text("Pss", x: px + 36, y: y, size: font)
        let note = "numbers in kB where a value changes; one number where Pss = Rss"
        svg.text(note, x: px + 36 + ReportSVG.textWidth("Pss", size: font) + 22, y: y, size: font, fill: ReportSVG.muted)
        y += 10

        var description: [String] = []
        for (n, panel) in panels.enumerated() {
            y += 26
            svg.text("\(panel.scope.plain) · \(panel.process) (pid \(panel.pid))", x: margin, y: y - 8, size: 13, bold: true)
            let top = y, bottom = y + topPad + plotHeight
            svg.rect(x: plotLeft, y: top, w: plotRight - plotLeft, h: bottom - top, fill: ReportSVG.panel)
            let axis = ReportSVG.axis(maxKB: m.maxResident(panel.scope))
            let scale = plotHeight / Double(axis.top)
            func yOf(_ kB: UInt64) -> Double { bottom - Double(kB) * scale }
            var t: UInt64 = 0
            while t <= axis.top {
                svg.line(x1: plotLeft, y1: yOf(t), x2: plotRight, y2: yOf(t), stroke: t == 0 ? ReportSVG.muted : ReportSVG.grid)
                svg.text(axis.label(t), x: plotLeft - 6, y: yOf(t) + 4, size: 11, anchor: .end, fill: ReportSVG.muted)
                t += axis.step
            }
            for i in labels.indices {
                let x = plotLeft + (Double(i) + 0.5) * pitch
                svg.line(x1: x, y1: top, x2: x, y2: bottom, stroke: ReportSVG.grid, dash: "2 3")
            }
            // The values, with nil where the process or scope is absent.
            let values: [(rss: UInt64, pss: UInt64)?] = snapshots.map { s in
                guard let p = s.process(panel.process), let v = m.values(panel.scope, in: p) else { return nil }
                return (v["Rss"] ?? 0, v["Pss"] ?? 0)
            }
            func runs(_ pick: ((rss: UInt64, pss: UInt64)) -> UInt64) -> [[(x: Double, y: Double)]] {
                var out: [[(x: Double, y: Double)]] = [[]]
                for (i, v) in values.enumerated() {
                    if let v {
                        out[out.count - 1].append((plotLeft + (Double(i) + 0.5) * pitch, yOf(pick(v))))
                    } else if !out[out.count - 1].isEmpty {
                        out.append([])
                    }
                }
                return out
            }
            for run in runs({ $0.rss }) { svg.polyline(run, stroke: ReportSVG.rssColour, width: 3) }
            for run in runs({ $0.pss }) { svg.polyline(run, stroke: ReportSVG.pssColour, width: 2, dash: "6 4") }
            var previous: (rss: UInt64, pss: UInt64)?
            for (i, v) in values.enumerated() {
                guard let v else { previous = nil; continue }
                let x = plotLeft + (Double(i) + 0.5) * pitch
                let what = "\(panel.process) \(panel.scope.plain) at \(labels[i])"
                svg.circle(cx: x, cy: yOf(v.rss), r: 4, fill: ReportSVG.rssColour, title: "\(what): Rss \(ReportSVG.kB(v.rss))")
                svg.rect(x: x - 3.5, y: yOf(v.pss) - 3.5, w: 7, h: 7, fill: ReportSVG.pssColour,
                         title: "\(what): Pss \(ReportSVG.kB(v.pss))")
                let changed = previous.map { $0.rss != v.rss || $0.pss != v.pss } ?? true
                if changed {
                    svg.text(ReportSVG.kB(v.rss), x: x, y: yOf(v.rss) - 8, size: 11, anchor: .middle, bold: true,
                             fill: v.pss == v.rss ? ReportSVG.ink : ReportSVG.rssColour, halo: true)
                    if v.pss != v.rss {
                        // Below the point when there is room above the axis, else just above it.
                        let below = yOf(v.pss) + 16 <= bottom - 2
                        let ty = below ? yOf(v.pss) + 16 : yOf(v.pss) - 8
                        let tx = below || yOf(v.rss) - yOf(v.pss) > 24 ? x : x + 10
                        svg.text(ReportSVG.kB(v.pss), x: tx, y: ty, size: 11, anchor: below || tx == x ? .middle : .start,
                                 bold: true, fill: pssText, halo: true)
                    }
                }
                previous = v
            }
            description.append("\(panel.scope.plain), \(panel.process): " + values.enumerated().map { i, v in
                v.map { "\(labels[i]) Rss \(ReportSVG.kB($0.rss)) Pss \(ReportSVG.kB($0.pss))" } ?? "\(labels[i]) absent"
            }.joined(separator: ", "))
            y = bottom
            // Label names under every panel when they fit flat; rotated under the last one otherwise.
            if !rotate {
                for (i, l) in labels.enumerated() {
                    svg.text(l, x: plotLeft + (Double(i) + 0.5) * pitch, y: y + 15, size: 11, anchor: .middle, fill: ReportSVG.muted)
                }
                y += 18
            } else if n == panels.count - 1 {
                for (i, l) in labels.enumerated() {
                    svg.text(l, x: plotLeft + (Double(i) + 0.5) * pitch + 4, y: y + 12, size: 11, anchor: .end,
                             fill: ReportSVG.muted, rotate: -35)
                }
                y += widest * 0.58 + 12
            }
            y += 6
        }
        svg.height = Int((y + margin).rounded(.up))
        return svg.render(title: "\(record.scenario.name): Rss and Pss after each step, per process",
                          description: description.joined(separator: ". ") + ".")
    }
}
