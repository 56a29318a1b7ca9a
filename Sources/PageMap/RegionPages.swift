/// Whether pagemap showed real frame numbers.
public enum PFNVisibility: Hashable, Sendable, CustomStringConvertible {
    /// Present pages carry frame numbers.
    case visible
    /// Present pages all read frame 0: the reader lacked CAP_SYS_ADMIN.
    /// A capability, not an error: present and exclusive bits are still known.
    case hidden
    /// No page was present, so visibility could not be told.
    case unknown

    public var description: String {
        switch self {
        case .visible: return "visible"
        case .hidden: return "hidden: \(PageMapError.needsRootText)"
        case .unknown: return "unknown (no present page)"
        }
    }
}

/// The pages of one region (an address range) in one process at one moment.
public struct RegionPages: Sendable {
    /// What to read: a process and an address range.
    public struct Target: Hashable, Sendable {
        public var pid: Int32
        public var range: Range<UInt64>
        public init(pid: Int32, range: Range<UInt64>) {
            self.pid = pid
            self.range = range
        }
    }

    /// Page counts. Those that need kpagecount or kpageflags are `nil` when
    /// the tables were unreadable.
    public struct Counts: Hashable, Sendable {
        public var pages = 0
        public var present = 0
        public var swapped = 0
        /// Pagemap bit 56 (known without root).
        public var exclusive = 0
        /// Pagemap bit 61 (known without root).
        public var fileOrSharedAnon = 0
        /// Present pages with kpagecount ≥ 2 (what smaps calls shared).
        public var sharedByMapcount: Int?
        /// Present pages with kpagecount == 1.
        public var privateByMapcount: Int?
        public var anonymous: Int?
        public var thp: Int?
        public var zeroPage: Int?
        public var dirty: Int?
        public var ksm: Int?
        /// Distinct frames among present pages (a frame mapped twice counts once).
        public var distinctFrames: Int?
    }

    public let pid: Int32
    /// First virtual address.
    public let start: UInt64
    public let pageSize: Int
    /// One per virtual page, in address order.
    public let pages: [PageInfo]
    public let pfnVisibility: PFNVisibility
    /// Whether kpagecount was readable for this region.
    public let mapcountStatus: FrameTable.Status
    /// Whether kpageflags was readable for this region.
    public let flagsStatus: FrameTable.Status
    public let counts: Counts

    /// The address range covered.
    public var range: Range<UInt64> { start..<(start + UInt64(pages.count * pageSize)) }

    /// Joins pagemap entries with a frame table (pure: no I/O).
    ///
    /// - Parameter frames: map counts and flags; `nil` (or a table that lacks a
    ///   frame) leaves those fields `nil`.
    public init(pid: Int32, start: UInt64, pageSize: Int, entries: [PageMapEntry], frames: FrameTable?) {
        self.pid = pid
        self.start = start
        self.pageSize = pageSize

        var anyPresent = false, anyVisible = false
        for e in entries where e.isPresent {
            anyPresent = true
            if e.rawPFN != 0 { anyVisible = true; break }
        }
        let visibility: PFNVisibility = !anyPresent ? .unknown : (anyVisible ? .visible : .hidden)
        self.pfnVisibility = visibility
        let table = visibility == .hidden ? FrameTable.hidden : frames
        self.mapcountStatus = table?.mapcountStatus ?? .failed("not read")
        self.flagsStatus = table?.flagsStatus ?? .failed("not read")

        var pages = [PageInfo]()
        pages.reserveCapacity(entries.count)
        let tablePFNs = table?.pfns ?? []
        let mapcounts = table?.mapcounts
        let flags = table?.flags
        var last = -1
        for e in entries {
            var mapcount: UInt64?
            var flag: PageFlags?
            if e.isPresent, e.rawPFN != 0, !tablePFNs.isEmpty {
                let pfn = e.rawPFN
                // Fast path: consecutive pages usually sit in consecutive frames.
                let i: Int?
                if last >= 0, last + 1 < tablePFNs.count, tablePFNs[last + 1] == pfn {
                    i = last + 1
                } else if last >= 0, tablePFNs[last] == pfn {
                    i = last
                } else {
                    i = tablePFNs.binarySearch(pfn)
                }
                if let i {
                    last = i
                    mapcount = mapcounts?[i]
                    flag = flags?[i]
                }
            }
            pages.append(PageInfo(entry: e, mapcount: mapcount, flags: flag))
        }
        self.pages = pages
        self.counts = Self.count(pages, mapcountsKnown: mapcounts != nil && visibility != .hidden,
                                 flagsKnown: flags != nil && visibility != .hidden,
                                 pfnsKnown: visibility != .hidden)
    }

    private static func count(_ pages: [PageInfo], mapcountsKnown: Bool, flagsKnown: Bool, pfnsKnown: Bool) -> Counts {
        var c = Counts()
        c.pages = pages.count
        var shared = 0, priv = 0, anon = 0, thp = 0, zero = 0, dirty = 0, ksm = 0
        var pfns: [UInt64] = []
        if pfnsKnown { pfns.reserveCapacity(pages.count) }
        for p in pages {
            if p.present { c.present += 1 }
            if p.swapped { c.swapped += 1 }
            if p.exclusive { c.exclusive += 1 }
            if p.entry.isFileOrSharedAnon { c.fileOrSharedAnon += 1 }
            if let pfn = p.pfn, pfnsKnown { pfns.append(pfn) }
            if let m = p.mapcount {
                if m >= 2 { shared += 1 } else if m == 1 { priv += 1 }
            }
            if let f = p.flags {
                if f.contains(.anon) { anon += 1 }
                if f.contains(.thp) { thp += 1 }
                if f.contains(.zeroPage) { zero += 1 }
                if f.contains(.dirty) { dirty += 1 }
                if f.contains(.ksm) { ksm += 1 }
            }
        }
        if mapcountsKnown { c.sharedByMapcount = shared; c.privateByMapcount = priv }
        if flagsKnown {
            c.anonymous = anon; c.thp = thp; c.zeroPage = zero; c.dirty = dirty; c.ksm = ksm
        }
        if pfnsKnown { c.distinctFrames = KPageFile.sortedUnique(pfns).count }
        return c
    }

    /// Reads one region: pagemap, then kpagecount and kpageflags for its frames.
    ///
    /// Only pagemap errors throw; unreadable frame tables (not root) are recorded
    /// in `mapcountStatus` / `flagsStatus`.
    public static func read(
        pid: Int32, range: Range<UInt64>, pageSize: Int = systemPageSize, procRoot: String = "/proc"
    ) throws(PageMapError) -> RegionPages {
        try read([Target(pid: pid, range: range)], pageSize: pageSize, procRoot: procRoot)[0]
    }

    /// Reads several regions (e.g. one region in a parent and its children) with
    /// a single frame-table lookup over the union of their frames.
    public static func read(
        _ targets: [Target], pageSize: Int = systemPageSize, procRoot: String = "/proc"
    ) throws(PageMapError) -> [RegionPages] {
        var all: [[PageMapEntry]] = []
        all.reserveCapacity(targets.count)
        for t in targets {
            all.append(try PageMapReader.read(pid: t.pid, range: t.range, pageSize: pageSize, procRoot: procRoot))
        }
        var pfns: [UInt64] = []
        pfns.reserveCapacity(all.reduce(0) { $0 + $1.count })
        for entries in all {
            for e in entries where e.isPresent && e.rawPFN != 0 { pfns.append(e.rawPFN) }
        }
        let anyPresent = all.contains { $0.contains { $0.isPresent } }
        let table = pfns.isEmpty && anyPresent ? FrameTable.hidden : FrameTable.lookup(pfns, procRoot: procRoot)
        return zip(targets, all).map { t, entries in
            RegionPages(pid: t.pid, start: t.range.lowerBound, pageSize: pageSize, entries: entries, frames: table)
        }
    }
}
