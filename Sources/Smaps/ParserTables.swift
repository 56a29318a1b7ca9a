// Per-parse tables: the keys met (with their bytes in a form the hot loop can
// match in two loads) and caches that intern repeated strings.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The keys met in one parse. Each key's "Key:" bytes are kept as two
/// little-endian words and masks for a two-load match, and `successor` holds
/// the key that followed each key last time, to predict the next line's key.
internal final class KeyTable {
    static let capacity = 4096
    static let noKey = FieldID.max

    /// Key names by id (known keys first, unknown keys as met).
    private(set) var names: [String] = []
    /// "Key:" UTF-8 (colon included), for keys whose pattern exceeds 16 bytes.
    private(set) var patterns: [[UInt8]] = []
    private(set) var ids: [String: FieldID] = [:]
    let word0: UnsafeMutablePointer<UInt64>
    let word1: UnsafeMutablePointer<UInt64>
    let mask0: UnsafeMutablePointer<UInt64>
    let mask1: UnsafeMutablePointer<UInt64>
    let length: UnsafeMutablePointer<Int>
    let successor: UnsafeMutablePointer<FieldID>

    init() {
        let n = KeyTable.capacity
        word0 = .allocate(capacity: n)
        word1 = .allocate(capacity: n)
        mask0 = .allocate(capacity: n)
        mask1 = .allocate(capacity: n)
        length = .allocate(capacity: n)
        successor = .allocate(capacity: n)
        successor.initialize(repeating: KeyTable.noKey, count: n)
        for name in KnownField.allNames { _ = add(name) }
    }

    deinit {
        word0.deallocate()
        word1.deallocate()
        mask0.deallocate()
        mask1.deallocate()
        length.deallocate()
        successor.deallocate()
    }

    var count: Int { names.count }

    /// Registers `name`; the caller checks `count < capacity` first.
    func add(_ name: String) -> FieldID {
        let id = FieldID(names.count)
        let pattern = Array(name.utf8) + [Ascii.colon]
        var w0: UInt64 = 0
        var w1: UInt64 = 0
        var m0: UInt64 = 0
        var m1: UInt64 = 0
        for (i, b) in pattern.prefix(16).enumerated() {
            let shift = UInt64(8 * (i % 8))
            if i < 8 {
                w0 |= UInt64(b) << shift
                m0 |= 0xFF << shift
            } else {
                w1 |= UInt64(b) << shift
                m1 |= 0xFF << shift
            }
        }
        let k = Int(id)
        word0[k] = w0
        word1[k] = w1
        mask0[k] = m0
        mask1[k] = m1
        length[k] = pattern.count
        names.append(name)
        patterns.append(pattern)
        ids[name] = id
        return id
    }

    /// Key `id` as an entry of the expected-line sequence.
    func expected(_ id: FieldID) -> ExpectedKey {
        let k = Int(id)
        return ExpectedKey(
            word0: word0[k], word1: word1[k], mask0: mask0[k], mask1: mask1[k],
            length: length[k], id: id, isKB: KnownField.isKB(id))
    }

    /// Whether the line at `pos` of `bytes` starts with "Key:" of key `id`.
    @inline(__always)
    func matches(_ id: FieldID, _ bytes: ByteScanner, at pos: Int) -> Bool {
        let k = Int(id)
        let n = length[k]
        if n <= 16 && pos &+ 16 <= bytes.count {
            let raw = UnsafeRawPointer(bytes.base + pos)
            let a = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
            let b = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            return (a & mask0[k]) == word0[k] && (b & mask1[k]) == word1[k]
        }
        return patterns[k].withUnsafeBufferPointer { bytes.hasPrefix($0, at: pos) }
    }
}

/// A direct-mapped cache from byte strings to values built from them (the
/// pathname String, the VmFlags list), so that a repeated pathname or flags
/// line costs a hash and a memcmp instead of an allocation. It keeps its own
/// copy of the key bytes, so it works across the chunks of a streamed read.
internal struct InternCache<Value> {
    private var keys: [[UInt8]]
    private var values: [Value?]
    private let mask: Int

    init(slots: Int) {
        keys = [[UInt8]](repeating: [], count: slots)
        values = [Value?](repeating: nil, count: slots)
        mask = slots - 1
    }

    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        let n = bytes.count
        let prime: UInt64 = 0x0000_0100_0000_01B3
        var h = UInt64(truncatingIfNeeded: n) &* 0x9E37_79B9_7F4A_7C15
        if n >= 8 {
            let raw = UnsafeRawPointer(bytes.baseAddress!)
            h = (h ^ raw.loadUnaligned(as: UInt64.self)) &* prime
            h = (h ^ raw.loadUnaligned(fromByteOffset: (n - 8) / 2, as: UInt64.self)) &* prime
            h = (h ^ raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)) &* prime
        } else {
            for b in bytes { h = (h ^ UInt64(b)) &* prime }
        }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    /// The cached value for `bytes`, or `make(bytes)`, which is then cached.
    @inline(__always)
    mutating func value(_ bytes: UnsafeBufferPointer<UInt8>, _ make: (UnsafeBufferPointer<UInt8>) -> Value) -> Value {
        let slot = Self.hash(bytes) & mask
        if let v = values[slot], keys[slot].count == bytes.count,
            bytes.isEmpty || keys[slot].withUnsafeBufferPointer({ memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 })
        {
            return v
        }
        let v = make(bytes)
        keys[slot] = Array(bytes)
        values[slot] = v
        return v
    }
}

/// One key of the line sequence the parser expects: the key's "Key:" bytes as
/// masked words, so a line is matched with two loads and two compares.
internal struct ExpectedKey {
    var word0: UInt64 = 0
    var word1: UInt64 = 0
    var mask0: UInt64 = 0
    var mask1: UInt64 = 0
    /// Length of "Key:", colon included.
    var length: Int = 0
    var id: FieldID = KeyTable.noKey
    var isKB = false
}

/// The keys of the previous mapping's lines, in order: nearly every mapping of
/// a file has the same lines, so line i of this mapping is first tried against
/// entry i. The entries are rewritten in place as lines differ.
internal final class ExpectedSequence {
    private(set) var entries: UnsafeMutablePointer<ExpectedKey>
    private(set) var capacity: Int

    init(capacity: Int = 64) {
        self.capacity = capacity
        entries = .allocate(capacity: capacity)
        entries.initialize(repeating: ExpectedKey(), count: capacity)
    }

    deinit { entries.deallocate() }

    func grow() {
        let newCapacity = capacity * 2
        let grown = UnsafeMutablePointer<ExpectedKey>.allocate(capacity: newCapacity)
        grown.initialize(repeating: ExpectedKey(), count: newCapacity)
        grown.update(from: entries, count: capacity)
        entries.deallocate()
        entries = grown
        capacity = newCapacity
    }
}

/// Raw storage for the kB fields of the mapping being parsed; the parser keeps
/// the count. Grows for mappings with unusually many lines.
internal final class FieldScratch {
    private(set) var ids: UnsafeMutablePointer<FieldID>
    private(set) var values: UnsafeMutablePointer<UInt64>
    private(set) var capacity: Int

    init(capacity: Int = 64) {
        self.capacity = capacity
        ids = .allocate(capacity: capacity)
        values = .allocate(capacity: capacity)
    }

    deinit {
        ids.deallocate()
        values.deallocate()
    }

    func grow() {
        let newCapacity = capacity * 2
        let newIDs = UnsafeMutablePointer<FieldID>.allocate(capacity: newCapacity)
        let newValues = UnsafeMutablePointer<UInt64>.allocate(capacity: newCapacity)
        newIDs.update(from: ids, count: capacity)
        newValues.update(from: values, count: capacity)
        ids.deallocate()
        values.deallocate()
        ids = newIDs
        values = newValues
        capacity = newCapacity
    }
}
