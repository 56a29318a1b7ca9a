/// Escaping for the XML the reports write (SVG pictures, JUnit files): one
/// function, so every writer agrees on what a valid document is.
enum XMLEscape {
    /// Escapes `&`, `<`, `>`, both quotes and (for attribute values) newline,
    /// tab and carriage return as character references; drops characters XML 1.0
    /// cannot carry (C0 controls other than tab and newline, U+FFFE, U+FFFF).
    static func escape(_ s: String, attribute: Bool = true) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n" where attribute: out += "&#10;"
            case "\t" where attribute: out += "&#9;"
            case "\r": out += "&#13;"
            default:
                let v = c.value
                if v < 0x20 && c != "\n" && c != "\t" { continue }
                if v == 0xFFFE || v == 0xFFFF { continue }
                out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
