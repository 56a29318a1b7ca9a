import CowLab

/// The stacked bar chart of one label: for every scope (region first) and every
/// live process, one horizontal bar split into Shared_Clean, Shared_Dirty,
/// Private_Clean and Private_Dirty (which add up to Rss), with Rss and Pss
/// written beside it. Every chart of one run uses the same geometry and, per
/// scope, the same scale, so flipping between labels shows what moved.
public enum ResidentBarChart {
    /// The SVG for the snapshot taken at `label`, or nil when the record has no
    /// such snapshot or nothing is measured there.
    public static func render(_ record: RunRecord, label: String) -> String? {
        let m = ReportMeasurements(record)
        guard let snapshot = record.snapshots.first(where: { $0.label == label }), m.hasValues(snapshot) else { return nil }
        return render(m, snapshot)
    }

    // Geometry, in px.
    static let width = 800.0
    static let margin = 16.0
    static let barHeight = 22.0
    static let rowPitch = 30.0
    static let font = 12.0

    static func processLabel(_ p: ProcessSnapshot) -> String { "\(p.name) (pid \(p.pid))" }

    static func totals(_ v: [String: UInt64]) -> String {
        "Rss \(ReportSVG.kB(v["Rss"] ?? 0)) · Pss \(ReportSVG.kB(v["Pss"] ?? 0))"
    }

    static func render(_ m: ReportMeasurements, _ snapshot: SnapshotRecord) -> String {
        let record = m.record
        let page = record.environment.pageSize
        // Geometry shared by every label of the run.
        var labelWidth = 0.0, totalsWidth = ReportSVG.textWidth("not mapped", size: font)
        for s in record.snapshots {
            for p in s.processes {
                labelWidth = max(labelWidth, ReportSVG.textWidth(processLabel(p), size: font))
                for scope in m.scopes {
                    if let v = m.values(scope, in: p) { totalsWidth = max(totalsWidth, ReportSVG.textWidth(totals(v), size: font)) }
                }
            }
        }
        let plotLeft = (margin + labelWidth + 10).rounded()
        let plotRight = (width - margin - totalsWidth - 8).rounded()
        let plotWidth = max(plotRight - plotLeft, 120)
        var scales: [String: (axis: (step: UInt64, top: UInt64, label: (UInt64) -> String), scale: Double)] = [:]
        for scope in m.scopes {
            let axis = ReportSVG.axis(maxKB: m.maxResident(scope))
            scales[scope.name] = (axis, plotWidth / Double(axis.top))
        }
        // Parts too thin to hold their number are named after the totals; the
        // canvas widens (for every label alike) when that text needs the room.
        var canvasWidth = width
        for s in record.snapshots {
            for p in s.processes {
                for scope in m.scopes {
                    guard let v = m.values(scope, in: p) else { continue }
                    let segs = segments(v, scale: scales[scope.name]!.scale)
                    let end = plotLeft + segs.reduce(0) { $0 + $1.width } + 6 + ReportSVG.textWidth(trailing(v, segs), size: font)
                    canvasWidth = max(canvasWidth, (end + margin).rounded(.up))
                }
            }
        }

        let scopes = m.scopes.filter { scope in snapshot.processes.contains { m.values(scope, in: $0) != nil } }
        var svg = ReportSVG(width: Int(canvasWidth), height: 0)
        let step = m.step(for: snapshot)
        let heading = step.map { "\(record.scenario.name): after step \($0.index + 1), \(snapshot.label)" }
            ?? "\(record.scenario.name): at \(snapshot.label), before the first step"
        var y = margin + 14
        svg.text(heading, x: margin, y: y, size: 15, bold: true)
        y += 18
        let what = step.map { "\($0.process ?? "observer"): \(ReportSVG.plain($0.description))" } ?? "the subjects have just started"
        svg.text(what, x: margin, y: y, size: font, fill: ReportSVG.muted)
        y += 24

        // Legend: the four parts in stacking order.
        var lx = margin
        for part in ReportMeasurements.residentParts {
            let c = ReportSVG.partColours[part]!
            svg.rect(x: lx, y: y - 11, w: 14, h: 14, fill: c.fill)
            svg.text(part, x: lx + 19, y: y, size: font)
            lx += 19 + ReportSVG.textWidth(part, size: font) + 18
        }
        svg.text("(they add up to Rss)", x: lx, y: y, size: font, fill: ReportSVG.muted)
        y += 12

        var description: [String] = []
        for scope in scopes {
            y += 22
            svg.text(scopeHeading(scope, m, page: page), x: margin, y: y - 6, size: 13, bold: true)
            let (axis, scale) = scales[scope.name]!
            let rowsTop = y
            let rowsBottom = y + Double(snapshot.processes.count) * rowPitch
            // Grid first, so bars draw over it.
            var t: UInt64 = 0
            while t <= axis.top {
                let x = plotLeft + Double(t) * scale
                svg.line(x1: x, y1: rowsTop, x2: x, y2: rowsBottom + 4, stroke: t == 0 ? ReportSVG.muted : ReportSVG.grid)
                svg.text(axis.label(t), x: x, y: rowsBottom + 17, size: 11, anchor: .middle, fill: ReportSVG.muted)
                t += axis.step
            }
            for (i, p) in snapshot.processes.enumerated() {
                let top = rowsTop + Double(i) * rowPitch + (rowPitch - barHeight) / 2
                let mid = top + barHeight / 2 + 4
                svg.text(processLabel(p), x: plotLeft - 8, y: mid, size: font, anchor: .end)
                guard let v = m.values(scope, in: p) else {
                    svg.text("not mapped", x: plotLeft + 6, y: mid, size: font, italic: true, fill: ReportSVG.muted)
                    description.append("\(scope.plain), \(p.name): not mapped")
                    continue
                }
                var x = plotLeft
                let segs = segments(v, scale: scale)
                for seg in segs {
                    let c = ReportSVG.partColours[seg.part]!
                    svg.rect(x: x, y: top, w: seg.width, h: barHeight, fill: c.fill, stroke: "#ffffff", strokeWidth: 0.5,
                             title: "\(p.name) \(scope.plain) \(seg.part): \(ReportSVG.kB(seg.value))")
                    if seg.labelled {
                        svg.text(ReportSVG.kB(seg.value), x: x + seg.width / 2, y: mid - 0.5, size: 11, anchor: .middle, fill: c.text)
                    }
                    x += seg.width
                }
                svg.text(trailing(v, segs), x: x + 6, y: mid, size: font, halo: true)
                description.append("\(scope.plain), \(p.name): "
                    + ReportMeasurements.residentParts.map { "\($0) \(ReportSVG.kB(v[$0] ?? 0))" }.joined(separator: ", ")
                    + "; \(totals(v))")
            }
            y = rowsBottom + 26 + 10
        }
        svg.height = Int((y + margin - 10).rounded(.up))
        let title = "\(record.scenario.name) at \(snapshot.label): Shared and Private, Clean and Dirty, per process"
        return svg.render(title: title, description: description.joined(separator: ". ") + ".")
    }

    struct Segment {
        var part: String
        var value: UInt64
        var width: Double
        /// True when the segment is wide enough to carry its number.
        var labelled: Bool
    }

    /// The non-zero parts of a bar; a part thinner than 2 px is drawn 2 px wide so it stays visible.
    static func segments(_ v: [String: UInt64], scale: Double) -> [Segment] {
        ReportMeasurements.residentParts.compactMap { part in
            let value = v[part] ?? 0
            guard value > 0 else { return nil }
            let w = max(Double(value) * scale, 2)
            return Segment(part: part, value: value, width: w, labelled: w >= ReportSVG.textWidth(ReportSVG.kB(value), size: 11) + 6)
        }
    }

    /// `Rss 1036 kB · Pss 522 kB`, then the parts too thin to carry their number: `· Private_Dirty 8 kB`.
    static func trailing(_ v: [String: UInt64], _ segs: [Segment]) -> String {
        ([totals(v)] + segs.filter { !$0.labelled }.map { "\($0.part) \(ReportSVG.kB($0.value))" }).joined(separator: " · ")
    }

    static func scopeHeading(_ scope: ReportScope, _ m: ReportMeasurements, page: Int) -> String {
        switch scope.kind {
        case .region:
            for s in m.record.snapshots {
                for p in s.processes {
                    if let r = p.region(scope.name) {
                        return "\(scope.name): \(r.origin), \(ReportText.bytes(Double(r.length), page)) (\(ReportText.pages(Double(r.length), page)))"
                    }
                }
            }
            return scope.name
        case .mapping: return "mapping \(scope.name)"
        case .whole: return "whole process (every mapping)"
        }
    }
}
