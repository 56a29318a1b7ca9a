// Scanning primitives over a run of complete lines.
//
// A ByteScanner covers bytes that end with "\n" (the parser hands it only
// whole lines), so every scan below stops at a "\n" at the latest and needs no
// end-of-buffer check. It is a 16-byte value: passing it around costs nothing,
// which keeps the parser's hot loop free of copies of the parser itself.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

internal struct ByteScanner {
    let base: UnsafePointer<UInt8>
    /// Number of bytes; `base[count - 1]` is "\n".
    let count: Int
    /// `Ascii.hexTable`, loaded once per scanner rather than once per byte.
    let hexTable: UnsafePointer<UInt8>

    init(base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        self.count = count
        self.hexTable = Ascii.hexTable
    }

    /// The value of the hex digit `b`, or 0xFF.
    @inline(__always) func hexValue(_ b: UInt8) -> UInt8 { hexTable[Int(b)] }

    @inline(__always) subscript(_ i: Int) -> UInt8 { base[i] }

    /// Skips spaces and tabs at `i`, eight spaces at a time where possible.
    @inline(__always)
    func skipBlanks(_ i: inout Int) {
        while i &+ 8 <= count {
            let w = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
            let x = w ^ 0x2020_2020_2020_2020
            if x == 0 {
                i &+= 8
                continue
            }
            i &+= x.trailingZeroBitCount &>> 3
            if base[i] != Ascii.tab { return }
            i &+= 1
        }
        while Ascii.isBlank(base[i]) { i &+= 1 }
    }

    /// " kB\n" read as a little-endian UInt32: how the kernel ends every kB line.
    static let kBNewline: UInt32 = 0x0A42_6B20

    enum KilobyteResult {
        case value(UInt64)
        /// Not of the shape `BLANK* DEC " kB" BLANK* "\n"`; `at` is the failing byte.
        case notKilobytes(at: Int)
        /// More digits than a UInt64 holds; `at` is the first digit.
        case overflow(at: Int)
    }

    /// Parses `BLANK* DEC " kB" BLANK* "\n"` at `i`; on success `i` is at the "\n".
    @inline(__always)
    func kilobytes(_ i: inout Int) -> KilobyteResult {
        skipBlanks(&i)
        let digits = i
        var overflowed = false
        guard let v = decimal(&i, overflowed: &overflowed) else { return .notKilobytes(at: i) }
        if overflowed { return .overflow(at: digits) }
        if i &+ 4 <= count
            && UInt32(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt32.self)) == Self.kBNewline
        {
            i &+= 3
            return .value(v)
        }
        guard base[i] == Ascii.space, base[i + 1] == Ascii.k, base[i + 2] == Ascii.upperB else {
            return .notKilobytes(at: i)
        }
        i += 3
        while Ascii.isBlank(base[i]) { i += 1 }
        guard base[i] == Ascii.newline else { return .notKilobytes(at: i) }
        return .value(v)
    }

    /// The kB value of a line in the kernel's fixed layout, or nil.
    ///
    /// Since 4.x the kernel prints each kB line as the key padded with spaces
    /// to 16 columns, the value right-aligned in 8 columns, then " kB\n":
    /// `Rss:                1748 kB\n`. Given the line's first 16 bytes as
    /// words `a`, `b` (already matched against the key under `keyMask0/1`), this
    /// checks the padding and the " kB\n" at column 24 and converts the 8-column
    /// value with SWAR arithmetic: no loop, no branch per digit. Lines in any
    /// other shape (older kernels, values of 9+ digits) return nil and take the
    /// general path. Needs `pos + 28 <= count`.
    @inline(__always)
    func fixedColumnKilobytes(
        at pos: Int, _ a: UInt64, _ b: UInt64, keyMask0: UInt64, keyMask1: UInt64
    ) -> UInt64? {
        let spaces: UInt64 = 0x2020_2020_2020_2020
        let zeros: UInt64 = 0x3030_3030_3030_3030
        guard (a | keyMask0) == (spaces | keyMask0), (b | keyMask1) == (spaces | keyMask1) else { return nil }
        let raw = UnsafeRawPointer(base + pos)
        guard UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 24, as: UInt32.self)) == Self.kBNewline else {
            return nil
        }
        let c = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        let notSpace = c ^ spaces
        guard notSpace != 0 else { return nil }
        // Leading spaces are the low bytes; make them '0' digits.
        let lead = UInt64(notSpace.trailingZeroBitCount & ~7)
        let low: UInt64 = lead == 0 ? 0 : (1 &<< lead) &- 1
        let digits = (c & ~low) | (zeros & low)
        // Every byte must be '0'...'9' (this also rejects spaces inside the value).
        guard digits & 0xF0F0_F0F0_F0F0_F0F0 == zeros,
            (digits &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0 == zeros
        else { return nil }
        // Eight ASCII digits, most significant first in memory, to a number
        // (D. Lemire, "Faster parsing of eight-digit integers").
        var v = digits &- zeros
        v = v &* 10 &+ (v &>> 8)
        let mask: UInt64 = 0x0000_00FF_0000_00FF
        v = ((v & mask) &* (100 &+ (1_000_000 &<< 32)) &+ ((v &>> 16) & mask) &* (1 &+ (10_000 &<< 32))) &>> 32
        return v
    }

    /// Decimal digits at `i` (`i` moves past them): nil if there are none
    /// (`i` unchanged); if they do not fit a UInt64, `overflowed` is set and
    /// the value is 0. Up to 19 digits cannot overflow and take the unchecked
    /// loop alone; longer runs are re-read by `checkedDecimal`.
    @inline(__always)
    func decimal(_ i: inout Int, overflowed: inout Bool) -> UInt64? {
        let digits = i
        var v: UInt64 = 0
        while true {
            let d = base[i] &- Ascii.zero
            if d > 9 { break }
            v = v &* 10 &+ UInt64(d)
            i &+= 1
        }
        if i == digits { return nil }
        if i &- digits > 19 {
            guard let checked = checkedDecimal(digits, i) else {
                overflowed = true
                return 0
            }
            v = checked
        }
        return v
    }

    /// The decimal number in `[start, end)` with overflow checks, nil on overflow.
    func checkedDecimal(_ start: Int, _ end: Int) -> UInt64? {
        var v: UInt64 = 0
        for j in start..<end {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(base[j] &- Ascii.zero))
            if o1 || o2 { return nil }
            v = a
        }
        return v
    }

    /// Hex digits at `i` (`i` moves past them): nil if there are none;
    /// `overflowed` is set when more than 16 significant digits.
    @inline(__always)
    func hex(_ i: inout Int, overflowed: inout Bool) -> UInt64? {
        let digits = i
        var v: UInt64 = 0
        while true {
            let d = hexValue(base[i])
            if d == 0xFF { break }
            v = v &<< 4 | UInt64(d)
            i &+= 1
        }
        if i == digits { return nil }
        if i &- digits > 16 {
            var first = digits
            while base[first] == Ascii.zero { first += 1 }
            if i - first > 16 { overflowed = true }
        }
        return v
    }

    /// Offset of the "\n" ending the line that contains `i`.
    @inline(__always)
    func lineEnd(_ i: Int) -> Int {
        let p = memchr(base + i, Int32(Ascii.newline), count &- i)!
        return UnsafeRawPointer(p) - UnsafeRawPointer(base)
    }

    /// Whether the bytes at `i` equal `pattern`.
    @inline(__always)
    func hasPrefix(_ pattern: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        i + pattern.count <= count && memcmp(base + i, pattern.baseAddress!, pattern.count) == 0
    }

    /// Up to 40 bytes of the line at `offset`, printable, for messages.
    func excerpt(_ offset: Int) -> String {
        var end = offset
        while end < count && end - offset < 40 && base[end] != Ascii.newline { end += 1 }
        var text = ""
        for b in UnsafeBufferPointer(start: base + offset, count: end - offset) {
            if b >= 0x20 && b < 0x7F {
                text.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                let h = String(b, radix: 16)
                text += "\\x" + (h.count < 2 ? "0" + h : h)
            }
        }
        return end - offset == 40 && end < count && base[end] != Ascii.newline ? text + "…" : text
    }

    /// The bytes `[start, end)` as a buffer.
    @inline(__always)
    func slice(_ start: Int, _ end: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + start, count: end - start)
    }
}
