import PageMap

/// A "page strip": one row per process, one cell per page (or per group of
/// pages for large regions), coloured by how the page relates to the other
/// process — shared frame, copied frame, private to this process, not present.
///
/// A pure function to SVG text: no I/O, no external tools, integer coordinates
/// only, so the same input always gives the same bytes.
public enum PageStrip {
    /// What one page shows in one row.
    public enum Cell: Int, CaseIterable, Hashable, Sendable {
        /// Same frame as in the other row (copy-on-write not broken).
        case shared
        /// Present in both rows, different frames: the page was copied.
        case copied
        /// Present in this row only.
        case `private`
        /// Not present in this row.
        case notPresent

        public var name: String {
            switch self {
            case .shared: return "shared"
            case .copied: return "copied"
            case .private: return "private"
            case .notPresent: return "not present"
            }
        }

        public var colour: String {
            switch self {
            case .shared: return "#4c72b0"
            case .copied: return "#dd8452"
            case .private: return "#55a868"
            case .notPresent: return "#e6e6e6"
            }
        }
    }

    /// One labelled row of cells, one cell per page.
    public struct Row: Hashable, Sendable {
        public var label: String
        public var cells: [Cell]
        public init(label: String, cells: [Cell]) {
            self.label = label
            self.cells = cells
        }
    }

    /// The two rows of a frame join: the first region's view and the second's.
    public static func rows(_ join: FrameJoin.Result, first: String = "parent", second: String = "child") -> [Row] {
        var a: [Cell] = [], b: [Cell] = []
        a.reserveCapacity(join.relations.count)
        b.reserveCapacity(join.relations.count)
        for r in join.relations {
            switch r {
            case .shared: a.append(.shared); b.append(.shared)
            case .copied: a.append(.copied); b.append(.copied)
            case .onlyFirst: a.append(.private); b.append(.notPresent)
            case .onlySecond: a.append(.notPresent); b.append(.private)
            case .absent: a.append(.notPresent); b.append(.notPresent)
            }
        }
        return [Row(label: first, cells: a), Row(label: second, cells: b)]
    }

    /// Renders a frame join; when frames were hidden, says so under the strip.
    public static func svg(_ join: FrameJoin.Result, title: String? = nil,
                           first: String = "parent", second: String = "child", maxCells: Int = 256) -> String {
        let note = join.mode == .framesHidden
            ? "frame numbers hidden: needs root (CAP_SYS_ADMIN); shared vs copied inferred from exclusive bits"
            : nil
        return svg(rows: rows(join, first: first, second: second), title: title, pageSize: join.pageSize,
                   maxCells: maxCells, note: note)
    }

    // Layout constants, in pixels.
    static let margin = 10
    static let fontSize = 12
    /// Advance of one character of the 12 px monospace font, rounded up.
    static let charWidth = 8
    static let rowHeight = 20
    static let rowGap = 8
    static let stripWidth = 768
    static let lineHeight = 18

    /// Renders rows as an SVG document.
    ///
    /// - Parameters:
    ///   - rows: one row per process; rows may differ in length (short rows
    ///     are padded with "not present").
    ///   - title: drawn on top and used as the accessible name.
    ///   - pageSize: for the scale line.
    ///   - maxCells: at most this many cells per row; beyond it, pages are grouped
    ///     and each cell is split vertically in proportion to its pages' classes.
    ///   - note: an extra line under the legend.
    public static func svg(rows: [Row], title: String? = nil, pageSize: Int = 4096,
                           maxCells: Int = 256, note: String? = nil) -> String {
        let pages = rows.map(\.cells.count).max() ?? 0
        let perCell = max(1, (pages + max(1, maxCells) - 1) / max(1, maxCells))
        let cellCount = (pages + perCell - 1) / perCell
        let cellWidth = cellCount == 0 ? 12 : max(2, min(12, stripWidth / cellCount))
        let gap = cellWidth >= 5 ? 1 : 0

        let labelWidth = (rows.map(\.label.count).max() ?? 0) * charWidth + margin
        let stripLeft = margin + labelWidth
        let stripRight = stripLeft + cellCount * cellWidth
        let summaries = rows.map(summary)
        let summaryWidth = (summaries.map(\.count).max() ?? 0) * charWidth
        var y = margin
        var body: [String] = []

        if let title {
            y += fontSize
            body.append(text(title, x: margin, y: y, weight: "bold"))
            y += lineHeight - fontSize
        }
        for (row, line) in zip(rows, summaries) {
            let top = y
            body.append(text(row.label, x: margin, y: top + rowHeight / 2 + fontSize / 2 - 2))
            body.append(contentsOf: cells(row, pages: pages, top: top, left: stripLeft, perCell: perCell,
                                          cellCount: cellCount, cellWidth: cellWidth, gap: gap))
            body.append(text(line, x: stripRight + margin, y: top + rowHeight / 2 + fontSize / 2 - 2))
            y += rowHeight + rowGap
        }

        // Scale line and legend.
        y += fontSize
        let scale = perCell == 1
            ? "1 cell = 1 page (\(bytes(pageSize)))"
            : "1 cell = \(perCell) pages (\(bytes(perCell * pageSize))); mixed cells are split in proportion"
        body.append(text("\(pages) pages; " + scale, x: margin, y: y))
        y += lineHeight - fontSize
        var x = margin
        for c in Cell.allCases {
            body.append(##"<rect x="\##(x)" y="\##(y)" width="12" height="12" fill="\##(c.colour)" stroke="#808080" stroke-width="1"/>"##)
            body.append(text(c.name, x: x + 18, y: y + 11))
            x += 18 + c.name.count * charWidth + 16
        }
        let legendRight = x
        y += lineHeight
        if let note {
            y += fontSize - 4
            body.append(text(note, x: margin, y: y))
            y += lineHeight - fontSize
        }
        let noteWidth = note.map { margin + $0.count * charWidth } ?? 0
        let titleWidth = title.map { margin + $0.count * charWidth } ?? 0
        let scaleWidth = margin + (scale.count + 16) * charWidth
        let width = max(stripRight + margin + summaryWidth, legendRight, noteWidth, titleWidth, scaleWidth) + margin
        let height = y + margin

        let name = XMLEscape.escape(title ?? "page strip", attribute: false)
        var out = ##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(width)" height="\##(height)" viewBox="0 0 \##(width) \##(height)" role="img" aria-label="\##(name)" font-family="monospace" font-size="\##(fontSize)">"##
        out += "\n<title>\(name)</title>\n"
        out += ##"<rect x="0" y="0" width="\##(width)" height="\##(height)" fill="#ffffff"/>"##
        out += "\n"
        for line in body { out += line + "\n" }
        out += "</svg>\n"
        return out
    }

    /// Per-row totals, e.g. "shared 16 · copied 0 · private 0 · not present 0".
    static func summary(_ row: Row) -> String {
        var n = [Int](repeating: 0, count: Cell.allCases.count)
        for c in row.cells { n[c.rawValue] += 1 }
        return Cell.allCases.map { "\($0.name) \(n[$0.rawValue])" }.joined(separator: " · ")
    }

    /// The cells of one row: a single rect for a uniform group, a vertical
    /// split in proportion (largest remainder, integer heights) otherwise.
    static func cells(_ row: Row, pages: Int, top: Int, left: Int, perCell: Int, cellCount: Int,
                      cellWidth: Int, gap: Int) -> [String] {
        var out: [String] = []
        let w = cellWidth - gap
        for g in 0..<cellCount {
            // Pages beyond this row's end (a shorter row) count as not present.
            var tally = [Int](repeating: 0, count: Cell.allCases.count)
            for i in (g * perCell)..<min((g + 1) * perCell, pages) {
                tally[i < row.cells.count ? row.cells[i].rawValue : Cell.notPresent.rawValue] += 1
            }
            let total = tally.reduce(0, +)
            let x = left + g * cellWidth
            let heights = apportion(tally, into: rowHeight, total: total)
            var y = top
            for c in Cell.allCases where heights[c.rawValue] > 0 {
                let h = heights[c.rawValue]
                out.append(##"<rect x="\##(x)" y="\##(y)" width="\##(w)" height="\##(h)" fill="\##(c.colour)"/>"##)
                y += h
            }
        }
        return out
    }

    /// Splits `size` pixels among counts in proportion: every non-zero class
    /// gets at least 1 px (one copied page among a thousand stays visible), the
    /// rest by largest remainder, ties to the earlier class. Integer only, so
    /// the output is deterministic.
    static func apportion(_ counts: [Int], into size: Int, total: Int) -> [Int] {
        guard total > 0 else { return counts.map { _ in 0 } }
        let floor = counts.map { $0 > 0 ? 1 : 0 }
        let rest = size - floor.reduce(0, +)
        var shares = counts.indices.map { floor[$0] + counts[$0] * rest / total }
        var left = size - shares.reduce(0, +)
        let order = counts.indices.sorted {
            let r0 = counts[$0] * rest % total, r1 = counts[$1] * rest % total
            return r0 != r1 ? r0 > r1 : $0 < $1
        }
        for i in order where left > 0 && counts[i] > 0 {
            shares[i] += 1
            left -= 1
        }
        return shares
    }

    static func bytes(_ n: Int) -> String {
        if n % (1 << 20) == 0 { return "\(n >> 20) MiB" }
        if n % (1 << 10) == 0 { return "\(n >> 10) KiB" }
        return "\(n) B"
    }

    static func text(_ s: String, x: Int, y: Int, weight: String? = nil) -> String {
        let w = weight.map { ##" font-weight="\##($0)""## } ?? ""
        return ##"<text x="\##(x)" y="\##(y)" fill="#202020"\##(w)>\##(XMLEscape.escape(s, attribute: false))</text>"##
    }
}
