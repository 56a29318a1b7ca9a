/// A small SVG writer for the report charts. Every coordinate is rounded to a
/// tenth of a pixel and printed without locale or exponent, and the document
/// is built in call order, so the same chart is always the same bytes.
struct ReportSVG {
    let width: Int
    /// May grow while the chart is laid out.
    var height: Int
    private(set) var body: [String] = []

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    // MARK: Style (shared by every chart)

    static let fontFamily = "DejaVu Sans, Verdana, Helvetica, Arial, sans-serif"
    static let ink = "#1a1a1a"
    static let muted = "#595959"
    static let grid = "#d9d9d9"
    static let panel = "#f7f7f7"

    /// Okabe–Ito colours (safe for the common colour-vision deficiencies):
    /// shared in blues, private in oranges, clean light and dirty dark.
    static let partColours: [String: (fill: String, text: String)] = [
        "Shared_Clean": ("#56B4E9", "#1a1a1a"),
        "Shared_Dirty": ("#0072B2", "#ffffff"),
        "Private_Clean": ("#E69F00", "#1a1a1a"),
        "Private_Dirty": ("#D55E00", "#ffffff"),
    ]
    static let rssColour = "#0072B2"
    static let pssColour = "#D55E00"

    /// Width of a text in DejaVu Sans, estimated (0.62 em a character is a
    /// safe upper bound for the digits, letters and punctuation we print).
    static func textWidth(_ s: String, size: Double) -> Double {
        Double(s.count) * size * 0.62
    }

    // MARK: Numbers

    /// `12`, `12.5`, `-3.2`: a tenth of a pixel, no trailing `.0`.
    static func n(_ v: Double) -> String {
        guard v.isFinite, abs(v) < 1e12 else { return "0" }
        let tenths = Int((v * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        let a = abs(tenths)
        return a % 10 == 0 ? "\(sign)\(a / 10)" : "\(sign)\(a / 10).\(a % 10)"
    }

    /// A kB value as the tables print it, with its unit: `68 kB`.
    static func kB(_ v: UInt64) -> String { "\(v) kB" }

    /// A nice axis for values from 0 to `maxKB`: steps are powers of two in kB
    /// (memory comes in pages), at most six of them; labels in kB below 10 MiB
    /// and in MiB above.
    static func axis(maxKB: UInt64) -> (step: UInt64, top: UInt64, label: (UInt64) -> String) {
        let target = max(maxKB, 4)
        var step: UInt64 = 1
        while (target + step - 1) / step > 6 { step *= 2 }
        let top = ((target + step - 1) / step) * step
        if top >= 10 * 1024 {
            return (step, top, { v in
                let tenths = (v * 10 + 512) / 1024
                return tenths % 10 == 0 ? "\(tenths / 10) MiB" : "\(tenths / 10).\(tenths % 10) MiB"
            })
        }
        return (step, top, { "\($0) kB" })
    }

    // MARK: Elements

    static func escape(_ s: String) -> String { XMLEscape.escape(s, attribute: false) }

    /// Markdown leftovers (backticks) do not belong in a picture.
    static func plain(_ s: String) -> String { s.replacingOccurrences(of: "`", with: "") }

    mutating func rect(x: Double, y: Double, w: Double, h: Double, fill: String, stroke: String? = nil,
                       strokeWidth: Double = 1, title: String? = nil) {
        var a = "<rect x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(max(w, 0)))\" height=\"\(Self.n(max(h, 0)))\" fill=\"\(fill)\""
        if let stroke { a += " stroke=\"\(stroke)\" stroke-width=\"\(Self.n(strokeWidth))\"" }
        if let title {
            body.append(a + "><title>\(Self.escape(title))</title></rect>")
        } else {
            body.append(a + "/>")
        }
    }

    enum Anchor: String { case start, middle, end }

    mutating func text(_ s: String, x: Double, y: Double, size: Double = 12, anchor: Anchor = .start, bold: Bool = false,
                       italic: Bool = false, fill: String = ReportSVG.ink, rotate: Double? = nil, halo: Bool = false) {
        var a = "<text x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" font-size=\"\(Self.n(size))\""
        if anchor != .start { a += " text-anchor=\"\(anchor.rawValue)\"" }
        if bold { a += " font-weight=\"bold\"" }
        if italic { a += " font-style=\"italic\"" }
        if fill != Self.ink { a += " fill=\"\(fill)\"" }
        // A white outline under the glyphs keeps text readable over grid lines.
        if halo { a += " stroke=\"#ffffff\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\"" }
        if let rotate { a += " transform=\"rotate(\(Self.n(rotate)) \(Self.n(x)) \(Self.n(y)))\"" }
        body.append(a + ">\(Self.escape(s))</text>")
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1, dash: String? = nil) {
        var a = "<line x1=\"\(Self.n(x1))\" y1=\"\(Self.n(y1))\" x2=\"\(Self.n(x2))\" y2=\"\(Self.n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\""
        if let dash { a += " stroke-dasharray=\"\(dash)\"" }
        body.append(a + "/>")
    }

    mutating func polyline(_ points: [(x: Double, y: Double)], stroke: String, width: Double, dash: String? = nil) {
        guard points.count > 1 else { return }
        let p = points.map { "\(Self.n($0.x)),\(Self.n($0.y))" }.joined(separator: " ")
        var a = "<polyline points=\"\(p)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\" stroke-linejoin=\"round\""
        if let dash { a += " stroke-dasharray=\"\(dash)\"" }
        body.append(a + "/>")
    }

    mutating func circle(cx: Double, cy: Double, r: Double, fill: String, stroke: String? = nil, title: String? = nil) {
        var a = "<circle cx=\"\(Self.n(cx))\" cy=\"\(Self.n(cy))\" r=\"\(Self.n(r))\" fill=\"\(fill)\""
        if let stroke { a += " stroke=\"\(stroke)\" stroke-width=\"1.5\"" }
        if let title {
            body.append(a + "><title>\(Self.escape(title))</title></circle>")
        } else {
            body.append(a + "/>")
        }
    }

    mutating func raw(_ element: String) { body.append(element) }

    /// The document: explicit size and viewBox, a title and description for
    /// screen readers, a white background so dark page themes stay readable.
    func render(title: String, description: String) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\""
        out += " font-family=\"\(Self.fontFamily)\" role=\"img\" aria-labelledby=\"title desc\">\n"
        out += "<title id=\"title\">\(Self.escape(title))</title>\n"
        out += "<desc id=\"desc\">\(Self.escape(description))</desc>\n"
        out += "<rect x=\"0\" y=\"0\" width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>\n"
        for element in body { out += element + "\n" }
        out += "</svg>\n"
        return out
    }
}
