// The byte-level smaps parser.
//
// One pass over the bytes. No String is built until a pathname, a Name: value,
// a VmFlags line or an unknown key needs one, and those are interned per parse
// (a library is mapped four or five times; VmFlags lines repeat). The key of
// each line is predicted from the previous mapping and checked with two word
// compares. Numbers are parsed with overflow checks. Every failure is a
// located SmapsError.malformed, never a trap.
//
// The parser can be fed a whole buffer at once or a file in chunks: `feed`
// parses every complete line of a chunk and reports how many bytes it used.
//
// Grammar (one line each, every line ends with "\n"):
//   header := HEX "-" HEX " " [r-][w-][x-][sp] " " HEX " " HEX ":" HEX " " DEC [" "+ PATHNAME]
//   field  := KEY ":" BLANK* DEC " kB" BLANK*          (known kB keys, unknown kB keys)
//           | "VmFlags:" (" " CODE)* " "?
//           | "THPeligible:" BLANK* DEC | "ProtectionKey:" BLANK* DEC
//           | "Name:" BLANK* TEXT
//           | KEY ":" TEXT                                 (unknown non-kB: an attribute)
//   KEY    := [A-Za-z_][A-Za-z0-9_]*

internal struct SmapsParser {
    private let source: String

    /// 1-based number of the line being parsed.
    private var line = 1
    /// Offset in the whole input of the chunk being parsed.
    private var chunkOffset = 0

    private let keys = KeyTable()
    /// The previous mapping's line keys, and how many of them there were.
    private let expected = ExpectedSequence()
    private var expectedCount = 0
    /// The first key after a header last time (prediction).
    private var afterHeader: FieldID = KeyTable.noKey

    // The mapping being parsed.
    private var haveHeader = false
    /// The mapping being parsed, filled in place and moved into `mappings`
    /// when the next header (or the end) comes: no intermediate copies.
    private var current = Mapping.placeholder
    private var headerLineNumber = 0
    private var headerEndOffset = 0
    private var linesInMapping = 0
    private var previousKey: FieldID = KeyTable.noKey
    /// The kB fields of the mapping being parsed, in raw storage owned by `scratch`.
    private let scratch = FieldScratch()
    private var fieldCount = 0
    /// The block that receives the values of finished mappings, and how much of it is used.
    private var block = ValueBlock(capacity: 512)
    private var blockUsed = 0

    private var layouts: [FieldLayout] = []
    private var lastLayout = FieldLayout.empty
    private var strings = InternCache<String>(slots: 1024)
    private var flagLists = InternCache<[String]>(slots: 256)

    private(set) var mappings: [Mapping] = []

    init(source: String) {
        self.source = source
    }

    /// Tells the parser the input size, when known, to size its result.
    mutating func expect(bytes: Int) {
        sized = true
        let count = bytes / 600 + 4
        mappings.reserveCapacity(count)
        if bytes >= SmapsParser.largeInput {
            hugeBlocks = true
            mappings.withUnsafeBufferPointer { buffer in
                if let start = buffer.baseAddress {
                    HugePages.advise(start, byteCount: count * MemoryLayout<Mapping>.stride)
                }
            }
        }
    }

    /// Tells the parser its caller streams: it takes each batch of mappings
    /// and calls `discardMappings()`, so the result never holds more than one
    /// chunk's worth and needs no large reservation.
    mutating func expectStreaming() {
        sized = true
        mappings.reserveCapacity(SmapsParser.streamingMappings)
    }

    /// Streaming: forgets the mappings parsed so far (the caller has used
    /// them), keeping the array's capacity, and refills the value block from
    /// its start when no mapping holds it any more.
    mutating func discardMappings() {
        mappings.removeAll(keepingCapacity: true)
        if isKnownUniquelyReferenced(&block) { blockUsed = 0 }
    }

    /// Mappings reserved when streaming: a 64 KiB chunk holds ~100 of a live
    /// process, a 1 MiB chunk of a saved file ~1,500.
    static let streamingMappings = 2048

    /// Inputs from this size on get huge-page result buffers.
    static let largeInput = 16 << 20
    private var hugeBlocks = false

    /// Whether `expect(bytes:)` sized the result. A procfs file has no size:
    /// its result is then reserved for `vm.max_map_count`'s default 65,530
    /// mappings (8 MiB of address space for the array, 8 MiB for values),
    /// of which only the pages actually written cost anything. Growing by
    /// doubling instead copied everything and touched twice the memory, and
    /// fresh pages are a large part of reading a live process's smaps.
    private var sized = false
    static let unsizedMappings = 65_536
    static let unsizedBlockValues = 1 << 20

    /// Parses a whole input held in memory.
    static func parse(_ bytes: UnsafeRawBufferPointer, source: String) throws -> [Mapping] {
        var parser = SmapsParser(source: source)
        parser.expect(bytes: bytes.count)
        let used = try parser.feed(bytes)
        return try parser.finish(unconsumed: bytes.count - used, tail: bytes)
    }

    // MARK: Errors

    private func fail(_ offset: Int, _ message: String) -> SmapsError {
        .malformed(source: source, line: line, byteOffset: chunkOffset + offset, message: message)
    }

    // MARK: Driver

    /// Parses every complete line of `chunk`, the bytes that follow everything
    /// fed before. Returns the number of bytes used (up to and including the
    /// last "\n"); the caller feeds the rest again with more bytes after it.
    mutating func feed(_ chunk: UnsafeRawBufferPointer) throws -> Int {
        guard let start = chunk.baseAddress, chunk.count > 0 else { return 0 }
        let base = start.assumingMemoryBound(to: UInt8.self)
        var end = chunk.count
        while end > 0 && base[end - 1] != Ascii.newline { end -= 1 }
        guard end > 0 else { return 0 }
        let bytes = ByteScanner(base: base, count: end)

        var pos = 0
        while pos < end {
            if linesInMapping < expectedCount {
                // The common case: line i has the key of the previous mapping's
                // line i, is a kB line in the kernel's fixed layout. This loop
                // keeps its state in locals (registers) and stops at the first
                // line that is anything else.
                let entries = expected.entries
                let ids = scratch.ids
                let values = scratch.values
                let room = scratch.capacity
                let limit = expectedCount
                var i = linesInMapping
                var n = fieldCount
                var p = pos
                while i < limit && n < room && p &+ 28 <= end {
                    let e = entries[i]
                    guard e.isKB && e.length <= 16 else { break }
                    let raw = UnsafeRawPointer(base + p)
                    let a = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
                    let b = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
                    guard (a & e.mask0) == e.word0 && (b & e.mask1) == e.word1,
                        let v = bytes.fixedColumnKilobytes(at: p, a, b, keyMask0: e.mask0, keyMask1: e.mask1)
                    else { break }
                    ids[n] = e.id
                    values[n] = v
                    n &+= 1
                    i &+= 1
                    p &+= 28
                }
                if i > linesInMapping {
                    previousKey = entries[i &- 1].id
                    line &+= i &- linesInMapping
                    linesInMapping = i
                    fieldCount = n
                    pos = p
                    continue
                }
                // Line i is not a fixed-layout kB line: is it at least the expected key?
                let e = entries[i]
                if e.length <= 16 && pos &+ 16 <= end {
                    let raw = UnsafeRawPointer(base + pos)
                    let a = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
                    let b = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
                    if (a & e.mask0) == e.word0 && (b & e.mask1) == e.word1 {
                        pos = try fieldLine(e.id, bytes, valueStart: pos &+ e.length)
                        continue
                    }
                } else if keys.matches(e.id, bytes, at: pos) {
                    pos = try fieldLine(e.id, bytes, valueStart: pos &+ e.length)
                    continue
                }
            }
            if haveHeader {
                // Line i differs from last time: try the key that followed the
                // previous key last time (an inserted or dropped line).
                let predicted = linesInMapping == 0 ? afterHeader : keys.successor[Int(previousKey)]
                if predicted != KeyTable.noKey && keys.matches(predicted, bytes, at: pos) {
                    pos = try fieldLine(predicted, bytes, valueStart: pos &+ keys.length[Int(predicted)])
                    continue
                }
            }
            // A header starts with hex digits and "-"; a field line with a key and ":".
            var i = pos
            var start: UInt64 = 0
            while true {
                let d = bytes.hexValue(bytes[i])
                if d == 0xFF { break }
                start = start &<< 4 | UInt64(d)
                i &+= 1
            }
            if i > pos && bytes[i] == Ascii.dash {
                try finishMapping()
                pos = try headerLine(bytes, pos, startDigitsEnd: i, startValue: start)
                continue
            }
            while Ascii.isKeyByte(bytes[i]) { i &+= 1 }
            if i > pos && bytes[i] == Ascii.colon && !Ascii.isDigit(bytes[pos]) {
                let id = try keyID(bytes, pos, i)
                if !haveHeader {
                    throw fail(pos, "'\(keys.names[Int(id)]):' line before any mapping header")
                }
                pos = try fieldLine(id, bytes, valueStart: i + 1)
            } else if bytes[pos] == Ascii.hash {
                throw fail(pos, "unexpected comment or archive line \"\(bytes.excerpt(pos))\", not smaps")
            } else if bytes[pos] == Ascii.newline {
                throw fail(pos, "unexpected empty line")
            } else {
                throw fail(pos, "expected a mapping header (START-END PERMS ...) or a 'Key: value' line, found \"\(bytes.excerpt(pos))\"")
            }
        }
        chunkOffset += end
        return end
    }

    /// Ends the parse. `unconsumed` bytes (at the end of `tail`) were fed but
    /// not parsed because no "\n" followed them: the input was cut.
    mutating func finish(unconsumed: Int, tail: UnsafeRawBufferPointer) throws -> [Mapping] {
        let total = chunkOffset + unconsumed
        if total == 0 { throw SmapsError.empty(source: source) }
        if unconsumed > 0 {
            // procfs ends every line with "\n": the input was cut mid-line.
            let bytes = ByteScanner(
                base: tail.baseAddress!.assumingMemoryBound(to: UInt8.self) + (tail.count - unconsumed),
                count: unconsumed)
            throw SmapsError.malformed(
                source: source, line: line, byteOffset: total,
                message: "truncated: the last line \"\(bytes.excerpt(0))\" has no newline")
        }
        try finishMapping()
        return mappings
    }

    /// The id of the key in `[start, end)`, registering an unknown key.
    private mutating func keyID(_ bytes: ByteScanner, _ start: Int, _ end: Int) throws -> FieldID {
        let name = String(decoding: bytes.slice(start, end), as: UTF8.self)
        if let id = keys.ids[name] { return id }
        if keys.count >= KeyTable.capacity {
            throw fail(start, "more than \(KeyTable.capacity) distinct keys")
        }
        return keys.add(name)
    }

    // MARK: Field lines

    /// Records that line `linesInMapping` of this mapping has key `id`, for
    /// the predictions of the next lines and mappings.
    @inline(__always)
    private mutating func noteKey(_ id: FieldID) {
        if linesInMapping < expectedCount && expected.entries[linesInMapping].id == id {
            // As expected: the sequence and the successor table already say so.
        } else {
            if linesInMapping == 0 { afterHeader = id } else { keys.successor[Int(previousKey)] = id }
            if linesInMapping == expected.capacity { expected.grow() }
            expected.entries[linesInMapping] = keys.expected(id)
            // Entries past this one may be stale; they are only hints.
            if linesInMapping >= expectedCount { expectedCount = linesInMapping + 1 }
        }
        previousKey = id
        linesInMapping &+= 1
    }

    @inline(__always)
    private mutating func appendField(_ id: FieldID, _ value: UInt64) {
        if fieldCount == scratch.capacity { scratch.grow() }
        scratch.ids[fieldCount] = id
        scratch.values[fieldCount] = value
        fieldCount &+= 1
    }

    /// Parses the value of a field line whose key is `id`; returns the offset of the next line.
    private mutating func fieldLine(_ id: FieldID, _ bytes: ByteScanner, valueStart: Int) throws -> Int {
        noteKey(id)

        var i = valueStart
        if KnownField.isKB(id) {
            switch bytes.kilobytes(&i) {
            case .value(let v):
                appendField(id, v)
            case .notKilobytes(let at):
                throw fail(at, "expected 'N kB' after '\(keys.names[Int(id)]):', found \"\(bytes.excerpt(valueStart))\"")
            case .overflow(let at):
                throw fail(at, "'\(keys.names[Int(id)]):' value \(digits(bytes, at, bytes.lineEnd(at) - 3)) overflows 64 bits")
            }
        } else {
            i = try otherLine(id, bytes, valueStart: valueStart)
        }
        // i is at the "\n".
        line &+= 1
        return i &+ 1
    }

    /// A line whose key is not a known kB field; returns the offset of its "\n".
    private mutating func otherLine(_ id: FieldID, _ bytes: ByteScanner, valueStart: Int) throws -> Int {
        var i = valueStart
        switch id {
        case KnownField.vmFlags:
            let end = bytes.lineEnd(i)
            current.vmFlags = flagLists.value(bytes.slice(i, end), Self.splitFlags)
            return end
        case KnownField.thpEligible:
            current.thpEligible = try smallNumber(bytes, &i, key: "THPeligible") != 0
            return i
        case KnownField.protectionKey:
            current.protectionKey = try smallNumber(bytes, &i, key: "ProtectionKey")
            return i
        case KnownField.name:
            bytes.skipBlanks(&i)
            let end = bytes.lineEnd(i)
            current.name = strings.value(bytes.slice(i, end), Self.makeString)
            return end
        default:
            // An unknown key: a kB field if it reads "N kB", else an attribute.
            switch bytes.kilobytes(&i) {
            case .value(let v):
                appendField(id, v)
                return i
            case .overflow(let at):
                throw fail(at, "'\(keys.names[Int(id)]):' value \(bytes.excerpt(at)) overflows 64 bits")
            case .notKilobytes:
                i = valueStart
                bytes.skipBlanks(&i)
                let end = bytes.lineEnd(i)
                var trimmed = end
                while trimmed > i && Ascii.isBlank(bytes[trimmed - 1]) { trimmed -= 1 }
                current.attributes.append(SmapsAttribute(
                    key: keys.names[Int(id)], value: String(decoding: bytes.slice(i, trimmed), as: UTF8.self)))
                return end
            }
        }
    }

    /// `BLANK* DEC BLANK*` up to the "\n" (where `i` ends), at most UInt32.max.
    private mutating func smallNumber(_ bytes: ByteScanner, _ i: inout Int, key: StaticString) throws -> UInt32 {
        bytes.skipBlanks(&i)
        let start = i
        var overflowed = false
        guard let v = bytes.decimal(&i, overflowed: &overflowed) else {
            throw fail(i, "expected a number after '\(key):', found \"\(bytes.excerpt(i))\"")
        }
        if overflowed || v > UInt64(UInt32.max) {
            throw fail(start, "'\(key):' value \(bytes.excerpt(start)) is too large")
        }
        bytes.skipBlanks(&i)
        guard bytes[i] == Ascii.newline else {
            throw fail(i, "unexpected text after the '\(key):' value: \"\(bytes.excerpt(i))\"")
        }
        return UInt32(v)
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

    // MARK: Header lines

    // The helpers below are `mutating` although they only read: a non-mutating
    // method called from a mutating one made the optimiser copy the whole
    // parser (300 bytes) at every call, once per header field.

    @inline(__always)
    private mutating func hex(_ bytes: ByteScanner, _ i: inout Int, _ what: StaticString) throws -> UInt64 {
        let start = i
        var overflowed = false
        guard let v = bytes.hex(&i, overflowed: &overflowed) else {
            throw fail(i, "expected a hexadecimal \(what), found \"\(bytes.excerpt(i))\"")
        }
        if overflowed { throw fail(start, "\(what) \(digits(bytes, start, i)) overflows 64 bits") }
        return v
    }

    /// The bytes `[start, end)`, at most 40 of them, for messages.
    private func digits(_ bytes: ByteScanner, _ start: Int, _ end: Int) -> String {
        let text = String(decoding: bytes.slice(start, min(end, start + 40)), as: UTF8.self)
        return end - start > 40 ? text + "…" : text
    }

    @inline(__always)
    private mutating func expect(_ bytes: ByteScanner, _ byte: UInt8, _ i: inout Int, _ what: StaticString) throws {
        guard bytes[i] == byte else { throw fail(i, "expected \(what), found \"\(bytes.excerpt(i))\"") }
        i += 1
    }

    /// Parses a mapping header at `start`; returns the offset of the next line.
    /// The start address's digits `[start, startDigitsEnd)` were already read
    /// (as `startValue`, which wrapped if there are more than 16 of them).
    private mutating func headerLine(
        _ bytes: ByteScanner, _ start: Int, startDigitsEnd: Int, startValue: UInt64
    ) throws -> Int {
        // `current` is a placeholder here: finishMapping() swapped the previous one out.
        var i = start
        if startDigitsEnd - start > 16 {
            current.start = try hex(bytes, &i, "start address")
        } else {
            current.start = startValue
            i = startDigitsEnd
        }
        try expect(bytes, Ascii.dash, &i, "'-' between the addresses")
        current.end = try hex(bytes, &i, "end address")
        if current.end < current.start {
            throw fail(start, "end address \(String(current.end, radix: 16)) is below start address \(String(current.start, radix: 16))")
        }
        try expect(bytes, Ascii.space, &i, "a space after the address range")
        let perms = i
        func flag(_ at: Int, _ yes: UInt8) throws -> Bool {
            let b = bytes[at]
            if b == yes { return true }
            if b == Ascii.dash { return false }
            throw fail(at, "bad permissions \"\(bytes.excerpt(perms))\": expected r, w, x or '-' then s or p")
        }
        // Each check throws on "\n", so a short line is never read past its end.
        current.readable = try flag(i, Ascii.r)
        current.writable = try flag(i + 1, Ascii.w)
        current.executable = try flag(i + 2, Ascii.x)
        switch bytes[i + 3] {
        case Ascii.s: current.isShared = true
        case Ascii.p: current.isShared = false
        default: throw fail(i + 3, "bad permissions \"\(bytes.excerpt(perms))\": the 4th letter must be 's' or 'p'")
        }
        i += 4
        try expect(bytes, Ascii.space, &i, "a space after the permissions")
        current.offset = try hex(bytes, &i, "offset")
        try expect(bytes, Ascii.space, &i, "a space after the offset")
        let deviceStart = i
        let major = try hex(bytes, &i, "device major")
        try expect(bytes, Ascii.colon, &i, "':' in the device major:minor")
        let minor = try hex(bytes, &i, "device minor")
        guard major <= UInt32.max, minor <= UInt32.max else {
            throw fail(deviceStart, "device number \(digits(bytes, deviceStart, i)) is too large")
        }
        current.deviceMajor = UInt32(major)
        current.deviceMinor = UInt32(minor)
        try expect(bytes, Ascii.space, &i, "a space after the device")
        var overflowed = false
        let inodeStart = i
        guard let inode = bytes.decimal(&i, overflowed: &overflowed) else {
            throw fail(i, "expected a decimal inode, found \"\(bytes.excerpt(i))\"")
        }
        if overflowed { throw fail(inodeStart, "inode \(digits(bytes, inodeStart, i)) overflows 64 bits") }
        current.inode = inode
        if bytes[i] != Ascii.newline {
            try expect(bytes, Ascii.space, &i, "a space before the pathname")
            while bytes[i] == Ascii.space { i += 1 }
            let end = bytes.lineEnd(i)
            var pathEnd = end
            if Ascii.deletedSuffix.withUnsafeBufferPointer({
                end - i >= $0.count && bytes.hasPrefix($0, at: end - $0.count)
            }) {
                pathEnd -= Ascii.deletedSuffix.count
                current.isDeleted = true
            }
            if pathEnd > i {
                current.pathname = strings.value(bytes.slice(i, pathEnd), Self.makeString)
            }
            i = end
        }
        haveHeader = true
        headerLineNumber = line
        headerEndOffset = chunkOffset + i
        linesInMapping = 0
        line += 1
        return i + 1
    }

    /// Appends the mapping being parsed, if any.
    private mutating func finishMapping() throws {
        guard haveHeader else { return }
        if linesInMapping == 0 {
            throw SmapsError.malformed(
                source: source, line: headerLineNumber, byteOffset: headerEndOffset,
                message: "mapping header is not followed by any field line (truncated input, or /proc/PID/maps rather than smaps?)")
        }
        let ids = UnsafeBufferPointer(start: scratch.ids, count: fieldCount)
        let layout: FieldLayout
        if lastLayout.hasIDs(ids) {
            layout = lastLayout
        } else if let found = layouts.suffix(16).first(where: { $0.hasIDs(ids) }) {
            layout = found
        } else {
            layout = FieldLayout(names: ids.map { keys.names[Int($0)] }, ids: Array(ids))
            layouts.append(layout)
        }
        lastLayout = layout
        if !sized {
            sized = true
            mappings.reserveCapacity(SmapsParser.unsizedMappings)
            block = ValueBlock(capacity: SmapsParser.unsizedBlockValues)
            blockUsed = 0
        }
        if blockUsed &+ fieldCount > block.capacity {
            // Blocks grow from 512 to 64 Ki values (512 KiB), so a small input
            // stays small and a large one needs few allocations; large inputs
            // take 2 MiB huge-page blocks.
            let capacity = hugeBlocks ? ValueBlock.hugeCapacity : max(min(block.capacity * 2, 1 << 16), block.capacity)
            block = ValueBlock(capacity: max(capacity, fieldCount), huge: hugeBlocks)
            blockUsed = 0
        }
        (block.base + blockUsed).initialize(from: scratch.values, count: fieldCount)
        let offset = blockUsed
        blockUsed &+= fieldCount
        current.layout = layout
        current.block = block
        current.valueOffset = offset
        // Move, not copy: swap the finished mapping out, then append the local.
        var finished = Mapping.placeholder
        swap(&finished, &current)
        mappings.append(finished)
        haveHeader = false
        expectedCount = linesInMapping
        fieldCount = 0
    }
}
