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
        /// kpageflags DIRTY: the folio flag, not the pte bit. Freshly written
        /// anonymous pages usually show 0 here while smaps says *_Dirty.
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
        let mapcountsKnown = table?.mapcounts != nil && visibility != .hidden
        let flagsKnown = table?.flags != nil && visibility != .hidden

        // One tight pass: join each entry with the table and count as we go.
        let index = table?.index ?? .empty
        let mapcounts = table?.mapcounts ?? []
        let flags = table?.flags ?? []
        var c = Counts()
        c.pages = entries.count
        var shared = 0, priv = 0, anon = 0, thp = 0, zero = 0, dirty = 0, ksm = 0
        var seen = [UInt64](repeating: 0, count: index.count / 64 + 1)
        var distinct = 0
        var strays: [UInt64] = []  // visible PFNs the table does not hold
        var pages = [PageInfo]()
        pages.reserveCapacity(entries.count)
        entries.withUnsafeBufferPointer { list in
            for e in list {
                guard e.isPresent else {
                    if e.isSwapped { c.swapped += 1 }
                    pages.append(PageInfo(entry: e))
                    continue
                }
                c.present += 1
                if e.isExclusivelyMapped { c.exclusive += 1 }
                if e.isFileOrSharedAnon { c.fileOrSharedAnon += 1 }
                let pfn = e.rawPFN
                guard pfn != 0 else {
                    pages.append(PageInfo(entry: e))
                    continue
                }
                guard let i = index.index(of: pfn) else {
                    strays.append(pfn)
                    pages.append(PageInfo(entry: e))
                    continue
                }
                let bit: UInt64 = 1 << UInt64(i & 63)
                if seen[i >> 6] & bit == 0 {
                    seen[i >> 6] |= bit
                    distinct += 1
                }
                var mapcount: UInt64?
                var flag: PageFlags?
                if mapcountsKnown {
                    let m = mapcounts[i]
                    mapcount = m
                    if m >= 2 { shared += 1 } else if m == 1 { priv += 1 }
                }
                if flagsKnown {
                    let f = flags[i]
                    flag = f
                    // Raw bit tests: OptionSet.contains can end up unspecialised.
                    let r = f.rawValue
                    if r & PageFlags.anon.rawValue != 0 { anon += 1 }
                    if r & PageFlags.thp.rawValue != 0 { thp += 1 }
                    if r & PageFlags.zeroPage.rawValue != 0 { zero += 1 }
                    if r & PageFlags.dirty.rawValue != 0 { dirty += 1 }
                    if r & PageFlags.ksm.rawValue != 0 { ksm += 1 }
                }
                pages.append(PageInfo(entry: e, mapcount: mapcount, flags: flag))
            }
        }
        if mapcountsKnown { c.sharedByMapcount = shared; c.privateByMapcount = priv }
        if flagsKnown {
            c.anonymous = anon; c.thp = thp; c.zeroPage = zero; c.dirty = dirty; c.ksm = ksm
        }
        if visibility != .hidden { c.distinctFrames = distinct + KPageFile.sortedUnique(strays).count }
        self.pages = pages
        self.counts = c
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
    ///
    /// - Parameter inferExclusiveMapcounts: take map count 1 from pagemap's
    ///   exclusive bit for small pages instead of reading kpagecount (exact, and
    ///   about half the kernel work for a fully copied region); `false` reads
    ///   kpagecount for every frame.
    public static func read(
        _ targets: [Target], pageSize: Int = systemPageSize, procRoot: String = "/proc",
        inferExclusiveMapcounts: Bool = true
    ) throws(PageMapError) -> [RegionPages] {
        let all = try readEntries(targets, pageSize: pageSize, procRoot: procRoot)
        let table = frameTable(for: all, procRoot: procRoot, inferExclusive: inferExclusiveMapcounts)
        return zip(targets, all).map { t, entries in
            RegionPages(pid: t.pid, start: t.range.lowerBound, pageSize: pageSize, entries: entries, frames: table)
        }
    }

    /// The pagemaps of all targets, read on all cores.
    static func readEntries(
        _ targets: [Target], pageSize: Int, procRoot: String
    ) throws(PageMapError) -> [[PageMapEntry]] {
        let slots = UnsafeMutableBufferPointer<Result<[PageMapEntry], PageMapError>>.allocate(capacity: targets.count)
        slots.initialize(repeating: .success([]))
        defer { slots.deinitialize().deallocate() }
        let shared = Unchecked((targets, slots))
        concurrentPerform(iterations: targets.count) { i in
            let (targets, slots) = shared.value
            do throws(PageMapError) {
                slots[i] = .success(try PageMapReader.read(pid: targets[i].pid, range: targets[i].range,
                                                           pageSize: pageSize, procRoot: procRoot))
            } catch {
                slots[i] = .failure(error)
            }
        }
        var all: [[PageMapEntry]] = []
        all.reserveCapacity(targets.count)
        for r in slots { all.append(try r.get()) }
        return all
    }

    /// One frame table for all the regions' frames (or `.hidden`).
    static func frameTable(for all: [[PageMapEntry]], procRoot: String, inferExclusive: Bool = true) -> FrameTable {
        let anyPresent = all.contains { $0.contains { $0.isPresent } }
        let anyVisible = all.contains { $0.contains { $0.isPresent && $0.rawPFN != 0 } }
        return anyPresent && !anyVisible ? FrameTable.hidden
            : FrameTable.lookup(entries: all, procRoot: procRoot, inferExclusive: inferExclusive)
    }
}
