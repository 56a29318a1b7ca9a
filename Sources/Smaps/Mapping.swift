#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// One mapping (VMA) of /proc/PID/smaps: its header line and its field lines.

/// A non-kB `Key: value` line the parser does not interpret, kept verbatim.
public struct SmapsAttribute: Sendable, Equatable, Hashable {
    public var key: String
    public var value: String
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// One mapping of `/proc/PID/smaps` (or the single `[rollup]` entry of
/// `smaps_rollup`).
///
/// kB values are kept exactly as the kernel printed them, in kB. They are
/// stored compactly, not as a dictionary per mapping: the keys as one layout
/// shared by every mapping with the same lines, the values as a slice of a
/// block shared by many mappings of one parse.
public struct Mapping: Sendable, Equatable {
    // Stored properties go from widest to narrowest, so the struct has no
    // padding holes (128 bytes): 100,000 of them are 13 MB of fresh memory.

    /// First address of the mapping.
    public var start: UInt64
    /// One past the last address.
    public var end: UInt64
    /// Offset into the mapped file (for anonymous mappings, whatever the kernel printed).
    public var offset: UInt64
    public var inode: UInt64
    /// The pathname column: a file path, `[heap]`, `[stack]`, `[vdso]`,
    /// `[anon:NAME]`, `[rollup]`..., or "" when the mapping is unnamed.
    /// A trailing ` (deleted)` is removed and reported by `isDeleted`.
    public var pathname: String
    /// Android's `Name:` line, nil when absent.
    public var name: String?
    /// The two-letter codes of the `VmFlags:` line in file order, unknown codes
    /// kept. Empty when the kernel printed no VmFlags line (before 3.8).
    public var vmFlags: [String]
    /// Other non-kB lines, kept verbatim in file order.
    public var attributes: [SmapsAttribute]

    internal var layout: FieldLayout
    internal var block: ValueBlock
    internal var valueOffset: Int

    public var deviceMajor: UInt32
    public var deviceMinor: UInt32
    /// The `ProtectionKey:` line (x86 with pkeys), nil when absent.
    public var protectionKey: UInt32?
    public var readable: Bool
    public var writable: Bool
    public var executable: Bool
    /// `s` in the permissions (shared mapping) rather than `p` (private).
    public var isShared: Bool
    /// The pathname ended with ` (deleted)`: the file was unlinked.
    public var isDeleted: Bool
    /// The `THPeligible:` line (4.20+), nil when absent.
    public var thpEligible: Bool?

    /// The kB values in file order, aligned with `layout.names`.
    internal var values: UnsafeBufferPointer<UInt64> {
        UnsafeBufferPointer(start: block.base + valueOffset, count: layout.count)
    }

    /// `end - start`, in bytes.
    public var sizeBytes: UInt64 { end &- start }

    /// The value of the `field: N kB` line (for example "Rss"), in kB, or nil
    /// when this mapping has no such line. If a key appears twice, the first wins.
    @inline(__always)
    public func kilobytes(_ field: String) -> UInt64? {
        guard let p = layout.position(of: field) else { return nil }
        return block.base[valueOffset &+ p]
    }

    @inline(__always)
    internal func kilobytes(known id: FieldID) -> UInt64? {
        guard let p = layout.position(ofKnown: id) else { return nil }
        return block.base[valueOffset &+ p]
    }

    /// The keys of this mapping's kB lines in file order, unknown keys included.
    public var fieldNames: [String] { layout.names }

    /// `(key, kB)` pairs in file order.
    public var fields: [(name: String, kilobytes: UInt64)] {
        Array(zip(layout.names, values)).map { (name: $0.0, kilobytes: $0.1) }
    }

    /// Whether `start <= address < end`.
    @inline(__always)
    public func contains(_ address: UInt64) -> Bool {
        address >= start && address < end
    }

    /// The permissions column as the kernel prints it, e.g. `rw-p`.
    public var permissions: String {
        String(decoding: [
            readable ? Ascii.r : Ascii.dash, writable ? Ascii.w : Ascii.dash,
            executable ? Ascii.x : Ascii.dash, isShared ? Ascii.s : Ascii.p,
        ], as: UTF8.self)
    }

    /// Whether this is the single entry of `smaps_rollup` (`[rollup]`, `---p`).
    public var isRollup: Bool {
        pathname == "[rollup]" && !readable && !writable && !executable && !isShared
            && inode == 0 && deviceMajor == 0 && deviceMinor == 0
    }

    /// The pathname is empty or a kernel pseudo-name in brackets (`[heap]`,
    /// `[stack]`, `[anon:…]`…): the mapping is not backed by a named file.
    public var isAnonymousName: Bool {
        pathname.isEmpty || pathname.utf8.first == Ascii.leftBracket
    }

    /// Builds a mapping by hand (tests, synthetic data). `fields` are the kB
    /// lines in file order.
    public init(
        start: UInt64, end: UInt64,
        readable: Bool = true, writable: Bool = false, executable: Bool = false,
        isShared: Bool = false, offset: UInt64 = 0,
        deviceMajor: UInt32 = 0, deviceMinor: UInt32 = 0, inode: UInt64 = 0,
        pathname: String = "", isDeleted: Bool = false,
        fields: [(String, UInt64)] = [],
        vmFlags: [String] = [], thpEligible: Bool? = nil, protectionKey: UInt32? = nil,
        name: String? = nil, attributes: [SmapsAttribute] = []
    ) {
        self.start = start
        self.end = end
        self.readable = readable
        self.writable = writable
        self.executable = executable
        self.isShared = isShared
        self.offset = offset
        self.deviceMajor = deviceMajor
        self.deviceMinor = deviceMinor
        self.inode = inode
        self.pathname = pathname
        self.isDeleted = isDeleted
        self.vmFlags = vmFlags
        self.thpEligible = thpEligible
        self.protectionKey = protectionKey
        self.name = name
        self.attributes = attributes
        self.layout = fields.isEmpty ? FieldLayout.empty : FieldLayout(names: fields.map(\.0))
        self.block = ValueBlock(fields.map(\.1))
        self.valueOffset = 0
    }

    /// Sets the kB value of `field`, appending the key if this mapping lacks it.
    public mutating func setKilobytes(_ field: String, _ value: UInt64) {
        // Blocks are shared and immutable: write a private copy.
        var copy = Array(values)
        if let p = layout.position(of: field) {
            copy[p] = value
        } else {
            layout = FieldLayout(names: layout.names + [field])
            copy.append(value)
        }
        block = ValueBlock(copy)
        valueOffset = 0
    }

    /// An empty mapping for the parser to fill in place.
    internal static var placeholder: Mapping {
        Mapping(
            start: 0, end: 0, offset: 0, inode: 0, pathname: "", name: nil, vmFlags: [],
            attributes: [], layout: FieldLayout.empty, block: ValueBlock.empty, valueOffset: 0,
            deviceMajor: 0, deviceMinor: 0, protectionKey: nil, readable: false, writable: false,
            executable: false, isShared: false, isDeleted: false, thpEligible: nil)
    }

    /// Every stored property, in declaration order.
    private init(
        start: UInt64, end: UInt64, offset: UInt64, inode: UInt64, pathname: String, name: String?,
        vmFlags: [String], attributes: [SmapsAttribute], layout: FieldLayout, block: ValueBlock,
        valueOffset: Int, deviceMajor: UInt32, deviceMinor: UInt32, protectionKey: UInt32?,
        readable: Bool, writable: Bool, executable: Bool, isShared: Bool, isDeleted: Bool, thpEligible: Bool?
    ) {
        self.start = start
        self.end = end
        self.offset = offset
        self.inode = inode
        self.pathname = pathname
        self.name = name
        self.vmFlags = vmFlags
        self.attributes = attributes
        self.layout = layout
        self.block = block
        self.valueOffset = valueOffset
        self.deviceMajor = deviceMajor
        self.deviceMinor = deviceMinor
        self.protectionKey = protectionKey
        self.readable = readable
        self.writable = writable
        self.executable = executable
        self.isShared = isShared
        self.isDeleted = isDeleted
        self.thpEligible = thpEligible
    }

    public static func == (a: Mapping, b: Mapping) -> Bool {
        a.start == b.start && a.end == b.end && a.readable == b.readable
            && a.writable == b.writable && a.executable == b.executable
            && a.isShared == b.isShared && a.offset == b.offset
            && a.deviceMajor == b.deviceMajor && a.deviceMinor == b.deviceMinor
            && a.inode == b.inode && a.pathname == b.pathname && a.isDeleted == b.isDeleted
            && (a.layout === b.layout || a.layout.names == b.layout.names)
            && a.values.elementsEqual(b.values)
            && a.vmFlags == b.vmFlags && a.thpEligible == b.thpEligible
            && a.protectionKey == b.protectionKey && a.name == b.name
            && a.attributes == b.attributes
    }
}

/// Storage for the kB values of many mappings: a parse appends each mapping's
/// values to the current block and the mapping keeps (block, offset). A block
/// is written only by the parse that made it, before any mapping that refers
/// to it is published, and never after: it is immutable once shared.
internal final class ValueBlock: @unchecked Sendable {
    let base: UnsafeMutablePointer<UInt64>
    let capacity: Int
    private let owner: UnsafeMutableRawPointer
    private let pooled: Bool

    /// Values per huge block (2 MiB).
    static let hugeCapacity = HugePages.size / MemoryLayout<UInt64>.stride

    /// A block of `capacity` values; `huge` blocks are 2 MiB of huge-page
    /// memory from `HugeBlockPool` (for large inputs; `capacity` is then
    /// `hugeCapacity`).
    init(capacity: Int, huge: Bool = false) {
        if huge, capacity <= ValueBlock.hugeCapacity, let raw = HugeBlockPool.shared.take() {
            owner = raw
            pooled = true
            self.capacity = ValueBlock.hugeCapacity
        } else {
            let count = max(capacity, 1)
            guard let raw = malloc(count * MemoryLayout<UInt64>.stride) else {
                fatalError("Smaps: out of memory allocating \(count) values")
            }
            owner = raw
            pooled = false
            self.capacity = count
        }
        base = owner.bindMemory(to: UInt64.self, capacity: self.capacity)
    }

    convenience init(_ values: [UInt64]) {
        self.init(capacity: values.count)
        values.withUnsafeBufferPointer { buffer in
            if let start = buffer.baseAddress { base.initialize(from: start, count: buffer.count) }
        }
    }

    deinit {
        if pooled { HugeBlockPool.shared.give(owner) } else { free(owner) }
    }

    /// A block with no values, for mappings without kB lines.
    static let empty = ValueBlock(capacity: 1)
}
