#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// The `Key: N kB` fields the kernel prints (2.6 to 6.18), by fixed index, and
// the non-kB line keys the parser understands.

/// Index of a known kB field in `KnownField.names`. Unknown keys get ids from
/// `KnownField.firstUnknownID` up, assigned per parse.
internal typealias FieldID = UInt16

internal enum KnownField {
    /// Known kB fields in the order a 6.x kernel prints them (rollup-only ones included).
    static let names: [String] = [
        "Size", "KernelPageSize", "MMUPageSize", "Rss", "Pss", "Pss_Dirty",
        "Pss_Anon", "Pss_File", "Pss_Shmem", "Shared_Clean", "Shared_Dirty",
        "Private_Clean", "Private_Dirty", "Referenced", "Anonymous", "KSM",
        "LazyFree", "AnonHugePages", "ShmemPmdMapped", "FilePmdMapped",
        "Shared_Hugetlb", "Private_Hugetlb", "Swap", "SwapPss", "Locked",
    ]
    static let count = 25  // names.count, a literal so the hot path needs no lazy global

    static let size: FieldID = 0
    static let rss: FieldID = 3
    static let pss: FieldID = 4
    static let sharedClean: FieldID = 9
    static let sharedDirty: FieldID = 10
    static let privateClean: FieldID = 11
    static let privateDirty: FieldID = 12
    static let referenced: FieldID = 13
    static let anonymous: FieldID = 14
    static let lazyFree: FieldID = 16
    static let anonHugePages: FieldID = 17
    static let swap: FieldID = 22
    static let swapPss: FieldID = 23
    static let locked: FieldID = 24

    // Non-kB lines with a meaning of their own. They never appear in a FieldLayout.
    static let vmFlags: FieldID = 25
    static let thpEligible: FieldID = 26
    static let protectionKey: FieldID = 27
    static let name: FieldID = 28
    static let nonKBNames: [(FieldID, String)] = [
        (vmFlags, "VmFlags"), (thpEligible, "THPeligible"),
        (protectionKey, "ProtectionKey"), (name, "Name"),
    ]

    /// Ids of unknown keys (kB or not) start here.
    static let firstUnknownID: FieldID = 29

    /// Every known key, kB and non-kB, indexed by id (0 ..< firstUnknownID).
    static let allNames: [String] = names + nonKBNames.map(\.1)

    static let idByName: [String: FieldID] = {
        var table: [String: FieldID] = [:]
        for (i, n) in names.enumerated() { table[n] = FieldID(i) }
        return table
    }()

    /// The known kB field called `name`, or nil.
    @inline(__always)
    static func id(_ name: String) -> FieldID? { idByName[name] }

    static func isKB(_ id: FieldID) -> Bool { Int(id) < count }
}

/// The ordered kB keys of one mapping. Mappings with the same keys in the same
/// order (nearly all mappings of one file) share one layout object, so a mapping
/// stores only its values.
internal final class FieldLayout: Sendable {
    /// Keys in file order.
    let names: [String]
    /// Field ids in file order (known ids, or unknown ids from one parse).
    let ids: [FieldID]
    /// For each known field, its position in `names`, or -1.
    let knownPosition: [Int32]
    /// `names.count`.
    let count: Int

    init(names: [String], ids: [FieldID]) {
        self.names = names
        self.ids = ids
        var positions = [Int32](repeating: -1, count: KnownField.count)
        for (i, id) in ids.enumerated() where KnownField.isKB(id) && positions[Int(id)] < 0 {
            positions[Int(id)] = Int32(i)
        }
        self.knownPosition = positions
        self.count = names.count
    }

    convenience init(names: [String]) {
        var unknown = KnownField.firstUnknownID
        let ids: [FieldID] = names.map { name in
            if let id = KnownField.id(name) { return id }
            defer { unknown += 1 }
            return unknown
        }
        self.init(names: names, ids: ids)
    }

    static let empty = FieldLayout(names: [], ids: [])

    /// Whether this layout's ids are exactly `other`.
    @inline(__always)
    func hasIDs(_ other: UnsafeBufferPointer<FieldID>) -> Bool {
        ids.count == other.count && ids.withUnsafeBufferPointer {
            other.isEmpty || memcmp($0.baseAddress!, other.baseAddress!, other.count * MemoryLayout<FieldID>.stride) == 0
        }
    }

    /// Position of `name` in file order, or nil.
    @inline(__always)
    func position(of name: String) -> Int? {
        if let id = KnownField.id(name) {
            let p = knownPosition[Int(id)]
            return p < 0 ? nil : Int(p)
        }
        return names.firstIndex(of: name)
    }

    @inline(__always)
    func position(ofKnown id: FieldID) -> Int? {
        let p = knownPosition[Int(id)]
        return p < 0 ? nil : Int(p)
    }
}
