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

        let width = 800.0, margin = 16.0, font = 12.0
        let plotLeft = 88.0, plotRight = width - margin - 8
        let plotHeight = panels.count > 6 ? 90.0 : 120.0, topPad = 18.0
        let pitch = (plotRight - plotLeft) / Double(snapshots.count)
        let labels = snapshots.map(\.label)
        // Crowded x axes number the labels (0 is start, n is step n, as in the steps
        // table) under each panel, and name them once, rotated, under the last panel.
        let numbers = snapshots.map { s in s.afterStep.map { String($0 + 1) } ?? "0" }
        let widest = labels.map { ReportSVG.textWidth($0, size: 11) }.max() ?? 0
        let crowded = widest > pitch - 6
        let named = zip(numbers, labels).map { crowded ? "\($0) \($1)" : $1 }
        let widestNamed = named.map { ReportSVG.textWidth($0, size: 11) }.max() ?? 0
        let pssText = "#a94400"   // the Pss colour, darkened for text contrast on white

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
        let note = "kB where a value changes (one number where Pss = Rss)"
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
            func xOf(_ i: Int) -> Double { plotLeft + (Double(i) + 0.5) * pitch }
            var t: UInt64 = 0
            // Fewer gridlines on short panels, so their labels do not touch.
            let tickStep = plotHeight / Double(axis.top / axis.step) < 16 ? axis.step * 2 : axis.step
            while t <= axis.top {
                svg.line(x1: plotLeft, y1: yOf(t), x2: plotRight, y2: yOf(t), stroke: t == 0 ? ReportSVG.muted : ReportSVG.grid)
                svg.text(axis.label(t), x: plotLeft - 6, y: yOf(t) + 4, size: 11, anchor: .end, fill: ReportSVG.muted)
                t += tickStep
            }
            for i in labels.indices {
                svg.line(x1: xOf(i), y1: top, x2: xOf(i), y2: bottom, stroke: ReportSVG.grid, dash: "2 3")
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
                        out[out.count - 1].append((xOf(i), yOf(pick(v))))
                    } else if !out[out.count - 1].isEmpty {
                        out.append([])
                    }
                }
                return out
            }
            for run in runs({ $0.rss }) { svg.polyline(run, stroke: ReportSVG.rssColour, width: 3) }
            for run in runs({ $0.pss }) { svg.polyline(run, stroke: ReportSVG.pssColour, width: 2, dash: "6 4") }

            // Value labels where a value changes, each placed only where it overlaps
            // no other label (the exact number is always in the point's tooltip).
            var placed: [(x0: Double, x1: Double, y0: Double, y1: Double)] = []
            func place(_ text: String, x: Double, baseline: Double, fill: String) -> Bool {
                let w = ReportSVG.textWidth(text, size: 11) + 2
                let box = (x0: x - w / 2, x1: x + w / 2, y0: baseline - 10, y1: baseline + 2)
                guard box.x0 >= plotLeft - 4, box.x1 <= width - 2, box.y0 >= top - 2, box.y1 <= bottom,
                      !placed.contains(where: { $0.x0 < box.x1 && box.x0 < $0.x1 && $0.y0 < box.y1 && box.y0 < $0.y1 })
                else { return false }
                placed.append(box)
                svg.text(text, x: x, y: baseline, size: 11, anchor: .middle, bold: true, fill: fill, halo: true)
                return true
            }
            var previous: (rss: UInt64, pss: UInt64)?
            for (i, v) in values.enumerated() {
                guard let v else { previous = nil; continue }
                let x = xOf(i)
                let what = "\(panel.process) \(panel.scope.plain) at \(labels[i])"
                svg.circle(cx: x, cy: yOf(v.rss), r: 4, fill: ReportSVG.rssColour, title: "\(what): Rss \(ReportSVG.kB(v.rss))")
                svg.rect(x: x - 3.5, y: yOf(v.pss) - 3.5, w: 7, h: 7, fill: ReportSVG.pssColour,
                         title: "\(what): Pss \(ReportSVG.kB(v.pss))")
                let rssChanged = previous.map { $0.rss != v.rss } ?? true
                let pssChanged = previous.map { $0.pss != v.pss } ?? true
                if v.pss == v.rss {
                    if rssChanged || pssChanged { _ = place(ReportSVG.kB(v.rss), x: x, baseline: yOf(v.rss) - 8, fill: ReportSVG.ink) }
                } else {
                    if rssChanged { _ = place(ReportSVG.kB(v.rss), x: x, baseline: yOf(v.rss) - 8, fill: ReportSVG.rssColour) }
                    if pssChanged && !place(ReportSVG.kB(v.pss), x: x, baseline: yOf(v.pss) + 16, fill: pssText) {
                        _ = place(ReportSVG.kB(v.pss), x: x, baseline: yOf(v.pss) - 8, fill: pssText)
                    }
                }
                previous = v
            }
            description.append("\(panel.scope.plain), \(panel.process): " + values.enumerated().map { i, v in
                v.map { "\(labels[i]) Rss \(ReportSVG.kB($0.rss)) Pss \(ReportSVG.kB($0.pss))" } ?? "\(labels[i]) absent"
            }.joined(separator: ", "))
            y = bottom
            // The x axis: names when they fit, else numbers here and names under the last panel.
            for i in labels.indices {
                svg.text(crowded ? numbers[i] : labels[i], x: xOf(i), y: y + 15, size: 11, anchor: .middle, fill: ReportSVG.muted)
            }
            y += 18
            if crowded && n == panels.count - 1 {
                for i in labels.indices {
                    svg.text(named[i], x: xOf(i) + 4, y: y + 8, size: 11, anchor: .end, fill: ReportSVG.muted, rotate: -35)
                }
                y += widestNamed * 0.58 + 8
            }
            y += 6
        }
        svg.height = Int((y + margin).rounded(.up))
        return svg.render(title: "\(record.scenario.name): Rss and Pss after each step, per process",
                          description: description.joined(separator: ". ") + ".")
    }
}
