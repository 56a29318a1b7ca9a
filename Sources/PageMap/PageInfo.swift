/// Everything known about one virtual page: its pagemap entry joined with the
/// frame tables.
///
/// `pfn`, `mapcount` and `flags` are `nil` when not present or not readable
/// (no CAP_SYS_ADMIN); `present` and `exclusive` come from pagemap alone and
/// are always known.
public struct PageInfo: Hashable, Sendable {
    /// The raw pagemap entry.
    public let entry: PageMapEntry
    // Kept as raw words (UInt64.max = unknown) so a page costs 24 bytes, not 56:
    // a 1 GiB region has 262,144 of them.
    private let mapcountRaw: UInt64
    private let flagsRaw: UInt64
    private static let unknown = UInt64.max

    public init(entry: PageMapEntry, mapcount: UInt64? = nil, flags: PageFlags? = nil) {
        self.entry = entry
        let visible = entry.isPresent && entry.rawPFN != 0
        self.mapcountRaw = visible ? (mapcount ?? Self.unknown) : Self.unknown
        self.flagsRaw = visible ? (flags?.rawValue ?? Self.unknown) : Self.unknown
    }

    /// The frame number, if present and visible.
    public var pfn: UInt64? { entry.isPresent && entry.rawPFN != 0 ? entry.rawPFN : nil }
    /// `/proc/kpagecount` for the frame, if readable. For a small page that
    /// pagemap shows exclusively mapped, 1 without reading kpagecount (the bit
    /// means exactly that; see `FrameTable.mapcountsFromExclusiveBit`).
    public var mapcount: UInt64? { mapcountRaw == Self.unknown ? nil : mapcountRaw }
    /// `/proc/kpageflags` for the frame, if readable.
    public var flags: PageFlags? { flagsRaw == Self.unknown ? nil : PageFlags(rawValue: flagsRaw) }

    public var present: Bool { entry.isPresent }
    public var swapped: Bool { entry.isSwapped }
    /// Exactly one page-table entry maps the page (pagemap bit 56). For a
    /// PMD-mapped THP this is the first small page's answer, repeated.
    public var exclusive: Bool { entry.isExclusivelyMapped }

    /// The shared zero page: present, but never counted by smaps (Rss excludes it).
    /// `nil` when flags are unreadable.
    public var isZeroPage: Bool? { flags.map { $0.contains(.zeroPage) } }

    /// Mapped by two or more page-table entries, the rule smaps uses for
    /// Shared_* vs Private_*. From kpagecount when readable; otherwise `nil`.
    public var isSharedByMapcount: Bool? { mapcount.map { $0 >= 2 } }
}
