// Plain-text tables with aligned columns, for the renderers.

internal struct TextTable {
    enum Alignment { case left, right }

    var alignments: [Alignment]
    var rows: [[String]] = []

    init(_ alignments: [Alignment]) { self.alignments = alignments }

    mutating func add(_ row: [String]) { rows.append(row) }

    /// The rows with each column padded to its widest cell, separated by two
    /// spaces (one before a right-aligned column), trailing spaces removed.
    func render(indent: String = "") -> String {
        var widths = [Int](repeating: 0, count: alignments.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count {
                widths[i] = max(widths[i], cell.count)
            }
        }
        var out = ""
        for row in rows {
            var line = indent
            for (i, cell) in row.enumerated() where i < widths.count {
                if i > 0 { line += "  " }
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                line += alignments[i] == .right ? pad + cell : cell + pad
            }
            while line.last == " " { line.removeLast() }
            out += line + "\n"
        }
        return out
    }
}
