/// Everything known about one virtual page: its pagemap entry joined with the
/// frame tables.
///
/// `pfn`, `mapcount` and `flags` are `nil` when not present or not readable
/// (no CAP_SYS_ADMIN); `present` and `exclusive` come from pagemap alone and
/// are always known.
public struct PageInfo: Hashable, Sendable {
    /// The raw pagemap entry.
    public let entry: PageMapEntry
    /// The frame number, if present and visible.
    public let pfn: UInt64?
    /// `/proc/kpagecount` for the frame, if readable.
    public let mapcount: UInt64?
    /// `/proc/kpageflags` for the frame, if readable.
    public let flags: PageFlags?

    public init(entry: PageMapEntry, mapcount: UInt64? = nil, flags: PageFlags? = nil) {
        self.entry = entry
        self.pfn = entry.isPresent && entry.rawPFN != 0 ? entry.rawPFN : nil
        self.mapcount = self.pfn == nil ? nil : mapcount
        self.flags = self.pfn == nil ? nil : flags
    }

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
