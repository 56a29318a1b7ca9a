// An append-only byte buffer for the renderers: no String interpolation per
// value, integers formatted straight into bytes.

internal struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 4096) { bytes.reserveCapacity(capacity) }

    @inline(__always) mutating func byte(_ b: UInt8) { bytes.append(b) }

    @inline(__always) mutating func ascii(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    @inline(__always) mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { bytes.append(contentsOf: $0) }
    }

    mutating func repeating(_ b: UInt8, _ n: Int) {
        if n > 0 { bytes.append(contentsOf: repeatElement(b, count: n)) }
    }

    /// Number of decimal digits of `v`.
    @inline(__always) static func decimalWidth(_ v: UInt64) -> Int {
        var n = 1
        var x = v
        while x >= 10 {
            x /= 10
            n += 1
        }
        return n
    }

    mutating func decimal(_ v: UInt64) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes, enough for 20 digits
        let n = Self.decimalWidth(v)
        withUnsafeMutableBytes(of: &digits) { buf in
            var x = v
            var i = n
            repeat {
                i -= 1
                buf[i] = Ascii.zero + UInt8(x % 10)
                x /= 10
            } while i > 0
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[0..<n]))
        }
    }

    mutating func signed(_ v: Int64) {
        if v < 0 {
            byte(Ascii.dash)
            decimal(v.magnitude)
        } else {
            decimal(UInt64(v))
        }
    }

    /// `v` right-aligned in `width` columns.
    mutating func decimal(_ v: UInt64, width: Int) {
        repeating(Ascii.space, width - Self.decimalWidth(v))
        decimal(v)
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// `v` in lowercase hex, zero-padded to `minimumWidth` digits.
    mutating func hex(_ v: UInt64, minimumWidth: Int = 1) {
        var n = 1
        while n < 16 && (v >> (4 * UInt64(n))) != 0 { n += 1 }
        repeating(Ascii.zero, minimumWidth - n)
        var shift = 4 * (n - 1)
        while shift >= 0 {
            byte(Self.hexDigits[Int((v >> UInt64(shift)) & 0xF)])
            shift -= 4
        }
    }

    /// `s` as a JSON string literal, quotes included.
    mutating func jsonString(_ s: String) {
        byte(Ascii.quote)
        var s = s
        s.withUTF8 { utf8 in
            var runStart = 0
            for (i, b) in utf8.enumerated() where b < 0x20 || b == Ascii.quote || b == Ascii.backslash {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i]))
                byte(Ascii.backslash)
                switch b {
                case Ascii.quote: byte(Ascii.quote)
                case Ascii.backslash: byte(Ascii.backslash)
                case Ascii.newline: byte(Ascii.n)
                case Ascii.tab: byte(Ascii.t)
                default:
                    ascii("u00")
                    hex(UInt64(b), minimumWidth: 2)
                }
                runStart = i + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        byte(Ascii.quote)
    }
}

extension ByteWriter {
    @inline(__always) mutating func append(_ raw: [UInt8]) { bytes.append(contentsOf: raw) }
}
