/// The flags of one page frame, as read from `/proc/kpageflags` (8 bytes per PFN).
///
/// Bit numbers follow Documentation/admin-guide/mm/pagemap.rst and
/// include/uapi/linux/kernel-page-flags.h (bits 0-26). Bits 32-41 are the
/// kernel's "hacking assistances" from include/linux/kernel-page-flags.h,
/// "subject to change, never rely on them"; they are named for display only.
///
/// Two things that surprise: `dirty` is the folio's PG_dirty, which anonymous
/// pages written through their page table usually lack (smaps counts them as
/// *_Dirty from the pte's dirty bit), and on anonymous pages bit 34
/// (`mappedToDisk`) is PG_anon_exclusive, which shares that bit.
public struct PageFlags: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public static let locked = PageFlags(rawValue: 1 << 0)
    public static let error = PageFlags(rawValue: 1 << 1)
    public static let referenced = PageFlags(rawValue: 1 << 2)
    public static let uptodate = PageFlags(rawValue: 1 << 3)
    public static let dirty = PageFlags(rawValue: 1 << 4)
    public static let lru = PageFlags(rawValue: 1 << 5)
    public static let active = PageFlags(rawValue: 1 << 6)
    public static let slab = PageFlags(rawValue: 1 << 7)
    public static let writeback = PageFlags(rawValue: 1 << 8)
    public static let reclaim = PageFlags(rawValue: 1 << 9)
    public static let buddy = PageFlags(rawValue: 1 << 10)
    public static let mmap = PageFlags(rawValue: 1 << 11)
    public static let anon = PageFlags(rawValue: 1 << 12)
    public static let swapCache = PageFlags(rawValue: 1 << 13)
    public static let swapBacked = PageFlags(rawValue: 1 << 14)
    public static let compoundHead = PageFlags(rawValue: 1 << 15)
    public static let compoundTail = PageFlags(rawValue: 1 << 16)
    /// A hugetlbfs page.
    public static let huge = PageFlags(rawValue: 1 << 17)
    public static let unevictable = PageFlags(rawValue: 1 << 18)
    public static let hwPoison = PageFlags(rawValue: 1 << 19)
    /// No struct page exists for this PFN.
    public static let noPage = PageFlags(rawValue: 1 << 20)
    public static let ksm = PageFlags(rawValue: 1 << 21)
    /// Part of a transparent huge page (head or tail).
    public static let thp = PageFlags(rawValue: 1 << 22)
    public static let offline = PageFlags(rawValue: 1 << 23)
    /// The shared zero page (or the huge zero page, together with `.thp`).
    public static let zeroPage = PageFlags(rawValue: 1 << 24)
    public static let idle = PageFlags(rawValue: 1 << 25)
    public static let pageTable = PageFlags(rawValue: 1 << 26)

    // Kernel hacking assistances (unstable).
    public static let reserved = PageFlags(rawValue: 1 << 32)
    public static let mlocked = PageFlags(rawValue: 1 << 33)
    /// PG_mappedtodisk; on anonymous pages, PG_anon_exclusive.
    public static let mappedToDisk = PageFlags(rawValue: 1 << 34)
    public static let `private` = PageFlags(rawValue: 1 << 35)
    public static let private2 = PageFlags(rawValue: 1 << 36)
    public static let ownerPrivate = PageFlags(rawValue: 1 << 37)
    public static let arch = PageFlags(rawValue: 1 << 38)
    public static let uncached = PageFlags(rawValue: 1 << 39)
    public static let softDirty = PageFlags(rawValue: 1 << 40)
    public static let arch2 = PageFlags(rawValue: 1 << 41)

    /// Names in bit order, as in the kernel's `page-types` tool.
    public static let names: [(PageFlags, String)] = [
        (.locked, "LOCKED"), (.error, "ERROR"), (.referenced, "REFERENCED"),
        (.uptodate, "UPTODATE"), (.dirty, "DIRTY"), (.lru, "LRU"), (.active, "ACTIVE"),
        (.slab, "SLAB"), (.writeback, "WRITEBACK"), (.reclaim, "RECLAIM"),
        (.buddy, "BUDDY"), (.mmap, "MMAP"), (.anon, "ANON"), (.swapCache, "SWAPCACHE"),
        (.swapBacked, "SWAPBACKED"), (.compoundHead, "COMPOUND_HEAD"),
        (.compoundTail, "COMPOUND_TAIL"), (.huge, "HUGE"), (.unevictable, "UNEVICTABLE"),
        (.hwPoison, "HWPOISON"), (.noPage, "NOPAGE"), (.ksm, "KSM"), (.thp, "THP"),
        (.offline, "OFFLINE"), (.zeroPage, "ZERO_PAGE"), (.idle, "IDLE"),
        (.pageTable, "PGTABLE"),
        (.reserved, "RESERVED"), (.mlocked, "MLOCKED"), (.mappedToDisk, "MAPPEDTODISK"),
        (.private, "PRIVATE"), (.private2, "PRIVATE_2"), (.ownerPrivate, "OWNER_PRIVATE"),
        (.arch, "ARCH"), (.uncached, "UNCACHED"), (.softDirty, "SOFTDIRTY"), (.arch2, "ARCH_2"),
    ]

    /// E.g. "UPTODATE|LRU|MMAP|ANON|SWAPBACKED"; unnamed bits as "bitN".
    public var description: String {
        var parts = Self.names.filter { contains($0.0) }.map(\.1)
        var rest = rawValue & ~(((1 << 27) - 1) | (((1 << 10) - 1) << 32))
        while rest != 0 {
            let bit = rest.trailingZeroBitCount
            parts.append("bit\(bit)")
            rest &= rest - 1
        }
        return parts.isEmpty ? "none" : parts.joined(separator: "|")
    }
}
