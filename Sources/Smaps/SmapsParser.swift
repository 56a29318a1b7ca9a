// The byte-level smaps parser.
//
// One pass over the bytes, no String until a pathname, a Name: value, a VmFlags
// line or an unknown key needs one, and those are interned per parse (nearly
// every library is mapped four or five times, and VmFlags lines repeat).
// Numbers are parsed with overflow checks. Every failure is a located
// SmapsError.malformed, never a trap.
//
// Grammar (one line each, every line ends with "\n"):
//   header := HEX "-" HEX " " [r-][w-][x-][sp] " " HEX " " HEX ":" HEX " " DEC [" "+ PATHNAME]
//   field  := KEY ":" BLANK* DEC " kB" BLANK*          (known kB keys, unknown kB keys)
//           | "VmFlags:" (" " CODE)* " "?
//           | "THPeligible:" BLANK* DEC | "ProtectionKey:" BLANK* DEC
//           | "Name:" BLANK* TEXT
//           | KEY ":" TEXT                                 (unknown non-kB: an attribute)

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A direct-mapped cache from byte ranges of the input to values built from
/// them. A hit is confirmed with memcmp against the first occurrence, which
/// stays valid for the whole parse.
internal struct ByteRangeCache<Value> {
    private var offsets: [Int]
    private var lengths: [Int]
    private var values: [Value?]
    private let mask: Int

    init(slots: Int) {
        offsets = [Int](repeating: 0, count: slots)
        lengths = [Int](repeating: -1, count: slots)
        values = [Value?](repeating: nil, count: slots)
        mask = slots - 1
    }

    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        var h = UInt64(truncatingIfNeeded: n) &* 0x9E37_79B9_7F4A_7C15
        if n >= 8 {
            let raw = UnsafeRawPointer(p)
            h = (h ^ raw.loadUnaligned(as: UInt64.self)) &* 0x0000_0100_0000_01B3
            h = (h ^ raw.loadUnaligned(fromByteOffset: (n - 8) / 2, as: UInt64.self)) &* 0x0000_0100_0000_01B3
            h = (h ^ raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)) &* 0x0000_0100_0000_01B3
        } else {
            for i in 0..<n { h = (h ^ UInt64(p[i])) &* 0x0000_0100_0000_01B3 }
        }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    /// The cached value for bytes `[offset, offset+length)` of `base`, or the
    /// result of `make`, which is then cached.
    @inline(__always)
    mutating func value(
        _ base: UnsafePointer<UInt8>, _ offset: Int, _ length: Int,
        _ make: (UnsafeBufferPointer<UInt8>) -> Value
    ) -> Value {
        let slot = Self.hash(base + offset, length) & mask
        if lengths[slot] == length, let v = values[slot],
            memcmp(base + offsets[slot], base + offset, length) == 0
        {
            return v
        }
        let v = make(UnsafeBufferPointer(start: base + offset, count: length))
        offsets[slot] = offset
        lengths[slot] = length
        values[slot] = v
        return v
    }
}

internal struct SmapsParser {
    private let base: UnsafePointer<UInt8>
    private let count: Int
    private let source: String

    /// 1-based number of the line being parsed.
    private var line = 1

    // Keys: ids 0..<KnownField.firstUnknownID are known; unknown keys are
    // appended as met. `keyBytes` holds every key's UTF-8 for the fast match.
    private var keyNames: [String]
    private var keyBytes: [UInt8] = []
    private var keyStart: [Int] = []
    private var keyLength: [Int] = []
    private var keyIDs: [String: FieldID] = [:]
    /// The key that followed each key last time (prediction), `noKey` if none.
    private var successor: [FieldID]
    private var afterHeader: FieldID = SmapsParser.noKey
    private static let noKey = FieldID.max
    private static let maxKeys = 4096

    // The mapping being parsed.
    private var haveHeader = false
    private var header = MappingHeader()
    private var headerLine = 0
    private var headerEndOffset = 0
    private var linesInMapping = 0
    private var previousKey: FieldID = SmapsParser.noKey
    private var fieldIDs: [FieldID] = []
    private var fieldValues: [UInt64] = []
    private var vmFlags: [String] = []
    private var thpEligible: Bool? = nil
    private var protectionKey: UInt32? = nil
    private var name: String? = nil
    private var attributes: [SmapsAttribute] = []

    private var layouts: [FieldLayout] = []
    private var lastLayout = FieldLayout.empty
    private var stringCache = ByteRangeCache<String>(slots: 1024)
    private var flagsCache = ByteRangeCache<[String]>(slots: 256)

    private(set) var mappings: [Mapping] = []

    init(_ bytes: UnsafeRawBufferPointer, source: String) {
        self.base = bytes.baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) }
            ?? UnsafePointer(bitPattern: 1)!
        self.count = bytes.count
        self.source = source
        self.keyNames = KnownField.allNames
        self.successor = [FieldID](repeating: SmapsParser.noKey, count: keyNames.count)
        for (i, n) in keyNames.enumerated() {
            keyStart.append(keyBytes.count)
            keyLength.append(n.utf8.count)
            keyBytes.append(contentsOf: n.utf8)
            keyIDs[n] = FieldID(i)
        }
        fieldIDs.reserveCapacity(64)
        fieldValues.reserveCapacity(64)
        mappings.reserveCapacity(count / 512 + 4)
    }

    // MARK: Errors

    private func fail(_ offset: Int, _ message: String) -> SmapsError {
        .malformed(source: source, line: line, byteOffset: offset, message: message)
    }

    /// Up to 40 bytes of the line at `offset`, for messages.
    private func excerpt(_ offset: Int) -> String {
        var end = offset
        while end < count && end - offset < 40 && base[end] != Ascii.newline { end += 1 }
        var text = ""
        for b in UnsafeBufferPointer(start: base + offset, count: end - offset) {
            if b >= 0x20 && b < 0x7F { text.unicodeScalars.append(Unicode.Scalar(b)) }
            else { text += "\\x" + String(b, radix: 16).leftPadded(to: 2) }
        }
        return end - offset == 40 ? text + "…" : text
    }

    // MARK: Driver

    mutating func run() throws {
        if count == 0 { throw SmapsError.empty(source: source) }
        if base[count - 1] != Ascii.newline {
            // procfs ends every line with "\n": the input was cut.
            var lastLineStart = count - 1
            while lastLineStart > 0 && base[lastLineStart - 1] != Ascii.newline { lastLineStart -= 1 }
            line = 1 + UnsafeBufferPointer(start: base, count: lastLineStart).reduce(0) {
                $0 + ($1 == Ascii.newline ? 1 : 0)
            }
            throw fail(count, "truncated: the last line has no newline")
        }
        // From here on every scan stops at a "\n" at the latest, and the input
        // ends with one, so the scans need no end-of-buffer checks.
        var pos = 0
        while pos < count {
            if haveHeader {
                let predicted = linesInMapping == 0 ? afterHeader : successor[Int(previousKey)]
                if predicted != SmapsParser.noKey {
                    let n = keyLength[Int(predicted)]
                    if pos + n < count && base[pos + n] == Ascii.colon
                        && keyBytes.withUnsafeBufferPointer({
                            memcmp($0.baseAddress! + keyStart[Int(predicted)], base + pos, n) == 0
                        })
                    {
                        pos = try fieldLine(predicted, lineStart: pos, valueStart: pos + n + 1)
                        continue
                    }
                }
            }
            var i = pos
            var allHex = true
            while Ascii.isKeyByte(base[i]) {
                if Ascii.hexValue(base[i]) == 0xFF { allHex = false }
                i += 1
            }
            if i > pos && base[i] == Ascii.colon && !Ascii.isDigit(base[pos]) {
                let id = try keyID(pos, i)
                if !haveHeader {
                    throw fail(pos, "'\(keyNames[Int(id)]):' line before any mapping header")
                }
                pos = try fieldLine(id, lineStart: pos, valueStart: i + 1)
            } else if i > pos && allHex && base[i] == Ascii.dash {
                try finishMapping()
                pos = try headerLine(pos)
            } else if base[pos] == Ascii.hash {
                throw fail(pos, "unexpected comment or archive line \"\(excerpt(pos))\" (not smaps)")
            } else {
                throw fail(
                    pos, "expected a mapping header (START-END PERMS ...) or a 'Key: value' line, found \"\(excerpt(pos))\"")
            }
        }
        try finishMapping()
    }

    /// The id of the key in `[start, end)`, registering an unknown key.
    private mutating func keyID(_ start: Int, _ end: Int) throws -> FieldID {
        let name = String(decoding: UnsafeBufferPointer(start: base + start, count: end - start), as: UTF8.self)
        if let id = keyIDs[name] { return id }
        if keyNames.count >= SmapsParser.maxKeys {
            throw fail(start, "more than \(SmapsParser.maxKeys) distinct keys")
        }
        let id = FieldID(keyNames.count)
        keyNames.append(name)
        keyStart.append(keyBytes.count)
        keyLength.append(end - start)
        keyBytes.append(contentsOf: UnsafeBufferPointer(start: base + start, count: end - start))
        keyIDs[name] = id
        successor.append(SmapsParser.noKey)
        return id
    }

    // MARK: Field lines

    /// Parses the value of a field line whose key is `id`; returns the offset of the next line.
    private mutating func fieldLine(_ id: FieldID, lineStart: Int, valueStart: Int) throws -> Int {
        if linesInMapping == 0 { afterHeader = id } else { successor[Int(previousKey)] = id }
        previousKey = id
        linesInMapping += 1

        var i = valueStart
        if KnownField.isKB(id) {
            guard let v = try kilobyteValue(&i) else {
                throw fail(i, "expected 'N kB' after '\(keyNames[Int(id)]):'")
            }
            fieldIDs.append(id)
            fieldValues.append(v)
        } else {
            switch id {
            case KnownField.vmFlags:
                let end = lineEnd(i)
                vmFlags = flagsCache.value(base, i, end - i, Self.splitFlags)
                i = end
            case KnownField.thpEligible:
                let v = try smallNumber(&i, key: "THPeligible", max: UInt64(UInt32.max))
                thpEligible = v != 0
            case KnownField.protectionKey:
                let v = try smallNumber(&i, key: "ProtectionKey", max: UInt64(UInt32.max))
                protectionKey = UInt32(v)
            case KnownField.name:
                while Ascii.isBlank(base[i]) { i += 1 }
                let end = lineEnd(i)
                name = stringCache.value(base, i, end - i, Self.makeString)
                i = end
            default:
                // An unknown key: a kB field if it reads "N kB", else an attribute.
                var j = i
                if let v = try kilobyteValue(&j) {
                    fieldIDs.append(id)
                    fieldValues.append(v)
                    i = j
                } else {
                    while Ascii.isBlank(base[i]) { i += 1 }
                    let end = lineEnd(i)
                    var trimmed = end
                    while trimmed > i && Ascii.isBlank(base[trimmed - 1]) { trimmed -= 1 }
                    attributes.append(SmapsAttribute(
                        key: keyNames[Int(id)],
                        value: String(decoding: UnsafeBufferPointer(start: base + i, count: trimmed - i), as: UTF8.self)))
                    i = end
                }
            }
        }
        // i is at the "\n".
        line += 1
        return i + 1
    }

    /// Parses `BLANK* DEC " kB" BLANK* "\n"` at `i`. Returns nil (with `i` at
    /// the failing byte) when the text does not have that shape; throws when
    /// the number overflows.
    @inline(__always)
    private func kilobyteValue(_ i: inout Int) throws -> UInt64? {
        while Ascii.isBlank(base[i]) { i += 1 }
        let digits = i
        var v: UInt64 = 0
        while true {
            let d = base[i] &- Ascii.zero
            if d > 9 { break }
            v = v &* 10 &+ UInt64(d)
            i += 1
        }
        if i == digits { return nil }
        if i - digits > 19 { v = try checkedDecimal(digits, i) }
        guard base[i] == Ascii.space, base[i + 1] == Ascii.k, base[i + 2] == Ascii.upperB else {
            return nil
        }
        i += 3
        while Ascii.isBlank(base[i]) { i += 1 }
        guard base[i] == Ascii.newline else { return nil }
        return v
    }

    /// `BLANK* DEC BLANK* "\n"`, at most `max`.
    private func smallNumber(_ i: inout Int, key: String, max: UInt64) throws -> UInt64 {
        while Ascii.isBlank(base[i]) { i += 1 }
        let v = try decimal(&i, what: "number after '\(key):'")
        if v > max { throw fail(i, "'\(key):' value \(v) is too large") }
        while Ascii.isBlank(base[i]) { i += 1 }
        guard base[i] == Ascii.newline else {
            throw fail(i, "unexpected text after '\(key):' value: \"\(excerpt(i))\"")
        }
        return v
    }

    /// Offset of the "\n" ending the line that contains `i`.
    @inline(__always)
    private func lineEnd(_ i: Int) -> Int {
        let p = memchr(base + i, Int32(Ascii.newline), count - i)!
        return UnsafeRawPointer(p) - UnsafeRawPointer(base)
    }

    private static func makeString(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    private static func splitFlags(_ bytes: UnsafeBufferPointer<UInt8>) -> [String] {
        var flags: [String] = []
        var i = 0
        while i < bytes.count {
            while i < bytes.count && Ascii.isBlank(bytes[i]) { i += 1 }
            let s = i
            while i < bytes.count && !Ascii.isBlank(bytes[i]) { i += 1 }
            if i > s { flags.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[s..<i]), as: UTF8.self)) }
        }
        return flags
    }

    // MARK: Numbers

    /// Decimal digits at `i`, overflow-checked.
    @inline(__always)
    private func decimal(_ i: inout Int, what: String) throws -> UInt64 {
        let digits = i
        var v: UInt64 = 0
        while true {
            let d = base[i] &- Ascii.zero
            if d > 9 { break }
            v = v &* 10 &+ UInt64(d)
            i += 1
        }
        if i == digits { throw fail(i, "expected a decimal \(what), found \"\(excerpt(i))\"") }
        if i - digits > 19 { v = try checkedDecimal(digits, i) }
        return v
    }

    private func checkedDecimal(_ start: Int, _ end: Int) throws -> UInt64 {
        var v: UInt64 = 0
        for j in start..<end {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(base[j] &- Ascii.zero))
            if o1 || o2 { throw fail(start, "number \(excerpt(start)) overflows 64 bits") }
            v = a
        }
        return v
    }

    /// Hex digits at `i`, overflow-checked.
    @inline(__always)
    private func hex(_ i: inout Int, what: String) throws -> UInt64 {
        let digits = i
        var v: UInt64 = 0
        while true {
            let d = Ascii.hexValue(base[i])
            if d == 0xFF { break }
            v = v << 4 | UInt64(d)
            i += 1
        }
        if i == digits { throw fail(i, "expected a hexadecimal \(what), found \"\(excerpt(i))\"") }
        if i - digits > 16 {
            var first = digits
            while base[first] == Ascii.zero { first += 1 }
            if i - first > 16 { throw fail(digits, "\(what) \(excerpt(digits)) overflows 64 bits") }
        }
        return v
    }

    @inline(__always)
    private func expect(_ byte: UInt8, _ i: inout Int, _ what: String) throws {
        guard base[i] == byte else { throw fail(i, "expected \(what), found \"\(excerpt(i))\"") }
        i += 1
    }

    // MARK: Header lines

    /// Parses a mapping header at `start`; returns the offset of the next line.
    private mutating func headerLine(_ start: Int) throws -> Int {
        var h = MappingHeader()
        var i = start
        h.start = try hex(&i, what: "start address")
        try expect(Ascii.dash, &i, "'-' between the addresses")
        h.end = try hex(&i, what: "end address")
        if h.end < h.start {
            throw fail(start, "end address \(String(h.end, radix: 16)) is below start address \(String(h.start, radix: 16))")
        }
        try expect(Ascii.space, &i, "a space after the address range")
        let perms = i
        func flag(_ at: Int, _ yes: UInt8) throws -> Bool {
            let b = base[at]
            if b == yes { return true }
            if b == Ascii.dash { return false }
            throw fail(at, "bad permissions \"\(excerpt(perms))\": expected 'rwxp'/'rwxs' or '-'")
        }
        h.readable = try flag(i, Ascii.r)
        h.writable = try flag(i + 1, Ascii.w)
        h.executable = try flag(i + 2, Ascii.x)
        switch base[i + 3] {
        case Ascii.s: h.isShared = true
        case Ascii.p: h.isShared = false
        default: throw fail(i + 3, "bad permissions \"\(excerpt(perms))\": the 4th letter must be 's' or 'p'")
        }
        i += 4
        try expect(Ascii.space, &i, "a space after the permissions")
        h.offset = try hex(&i, what: "offset")
        try expect(Ascii.space, &i, "a space after the offset")
        let major = try hex(&i, what: "device major")
        try expect(Ascii.colon, &i, "':' in the device major:minor")
        let minor = try hex(&i, what: "device minor")
        guard major <= UInt32.max, minor <= UInt32.max else {
            throw fail(i, "device number \(String(major, radix: 16)):\(String(minor, radix: 16)) is too large")
        }
        h.deviceMajor = UInt32(major)
        h.deviceMinor = UInt32(minor)
        try expect(Ascii.space, &i, "a space after the device")
        h.inode = try decimal(&i, what: "inode")
        if base[i] != Ascii.newline {
            try expect(Ascii.space, &i, "a space before the pathname")
            while base[i] == Ascii.space { i += 1 }
            let end = lineEnd(i)
            var pathEnd = end
            let suffix = Ascii.deletedSuffix
            if end - i >= suffix.count,
                suffix.withUnsafeBufferPointer({ memcmp(base + end - $0.count, $0.baseAddress!, $0.count) == 0 })
            {
                pathEnd -= suffix.count
                h.isDeleted = true
            }
            if pathEnd > i {
                h.pathname = stringCache.value(base, i, pathEnd - i, Self.makeString)
            }
            i = end
        }
        header = h
        haveHeader = true
        headerLine = line
        headerEndOffset = i
        linesInMapping = 0
        line += 1
        return i + 1
    }

    /// Appends the mapping being parsed, if any.
    private mutating func finishMapping() throws {
        guard haveHeader else { return }
        if linesInMapping == 0 {
            line = headerLine
            throw fail(headerEndOffset, "mapping header is not followed by any field line (truncated input, or /proc/PID/maps rather than smaps?)")
        }
        let layout: FieldLayout
        if lastLayout.ids == fieldIDs {
            layout = lastLayout
        } else if let found = layouts.suffix(16).first(where: { $0.ids == fieldIDs }) {
            layout = found
        } else {
            layout = FieldLayout(names: fieldIDs.map { keyNames[Int($0)] }, ids: fieldIDs)
            layouts.append(layout)
        }
        lastLayout = layout
        // An exact-size copy: the scratch array keeps its capacity for the next mapping.
        let values = [UInt64](unsafeUninitializedCapacity: fieldValues.count) { buffer, n in
            n = fieldValues.withUnsafeBufferPointer { buffer.initialize(fromContentsOf: $0) }
        }
        mappings.append(Mapping(
            header: header, layout: layout, values: values,
            vmFlags: vmFlags, thpEligible: thpEligible, protectionKey: protectionKey,
            name: name, attributes: attributes))
        haveHeader = false
        fieldIDs.removeAll(keepingCapacity: true)
        fieldValues.removeAll(keepingCapacity: true)
        vmFlags = []
        thpEligible = nil
        protectionKey = nil
        name = nil
        if !attributes.isEmpty { attributes = [] }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
