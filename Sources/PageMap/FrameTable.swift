/// Map counts and flags for a set of frames, read once and shared by every
/// region that maps them (a parent and its child map many of the same frames).
///
/// Built with `FrameTable.lookup`, which never throws: a table that could not
/// be read is recorded in `mapcountStatus` / `flagsStatus`, so a run without
/// root still shows what pagemap alone can tell.
public struct FrameTable: Sendable {
    /// Whether a per-frame table could be read.
    public enum Status: Hashable, Sendable, CustomStringConvertible {
        case available
        /// Not root: "needs root (CAP_SYS_ADMIN)".
        case needsRoot
        /// Frame numbers were hidden, so there was nothing to look up.
        case pfnsHidden
        /// Any other failure, with its description.
        case failed(String)

        public var description: String {
            switch self {
            case .available: return "available"
            case .needsRoot: return PageMapError.needsRootText
            case .pfnsHidden: return "frame numbers hidden: \(PageMapError.needsRootText)"
            case .failed(let why): return why
            }
        }
    }

    /// Sorted, unique frame numbers.
    public var pfns: [UInt64] { index.pfns }
    /// Constant-time PFN → position.
    let index: FrameIndex
    /// `/proc/kpagecount` values, parallel to `pfns`; `nil` if unreadable.
    public let mapcounts: [UInt64]?
    /// `/proc/kpageflags` values, parallel to `pfns`; `nil` if unreadable.
    public let flags: [PageFlags]?
    public let mapcountStatus: Status
    public let flagsStatus: Status
    /// How many frames got map count 1 from pagemap's exclusive bit instead of a
    /// kpagecount read (see `lookup(entries:procRoot:)`); 0 for other tables.
    public let mapcountsFromExclusiveBit: Int

    /// A table from values already known (fixtures, tests). `pfns` must be sorted
    /// and unique; `mapcounts` and `flags`, when given, parallel to it.
    public init(pfns: [UInt64], mapcounts: [UInt64]?, flags: [PageFlags]?,
                mapcountStatus: Status? = nil, flagsStatus: Status? = nil) {
        precondition(mapcounts == nil || mapcounts!.count == pfns.count)
        precondition(flags == nil || flags!.count == pfns.count)
        self.init(index: FrameIndex(sorted: pfns), mapcounts: mapcounts, flags: flags,
                  mapcountStatus: mapcountStatus ?? (mapcounts == nil ? .needsRoot : .available),
                  flagsStatus: flagsStatus ?? (flags == nil ? .needsRoot : .available))
    }

    init(index: FrameIndex, mapcounts: [UInt64]?, flags: [PageFlags]?, mapcountStatus: Status, flagsStatus: Status,
         mapcountsFromExclusiveBit: Int = 0) {
        self.index = index
        self.mapcountsFromExclusiveBit = mapcountsFromExclusiveBit
        self.mapcounts = mapcounts
        self.flags = flags
        self.mapcountStatus = mapcountStatus
        self.flagsStatus = flagsStatus
    }

    /// The table used when frame numbers are hidden.
    public static let hidden = FrameTable(pfns: [], mapcounts: nil, flags: nil,
                                          mapcountStatus: .pfnsHidden, flagsStatus: .pfnsHidden)

    /// Reads kpagecount and kpageflags for `pfns` (any order; duplicates and
    /// zeros ignored), batching contiguous frames into single reads and reading
    /// on all cores.
    public static func lookup<C: Collection>(_ pfns: C, procRoot: String = "/proc") -> FrameTable
    where C.Element == UInt64 {
        lookup(FrameIndex(pfns), procRoot: procRoot)
    }

    /// Reads kpageflags and kpagecount for the frames of present pages in `entries`.
    ///
    /// kpagecount is read only where pagemap cannot answer. Pagemap's exclusive
    /// bit (56) is set exactly when a page's map count is 1 — with
    /// CONFIG_PAGE_MAPCOUNT from the page's own count, with NO_PAGE_MAPCOUNT from
    /// the folio's, which is the same thing for a small page. So a frame that every
    /// observed mapping shows as exclusive, and that kpageflags shows is not part
    /// of a large folio (COMPOUND_HEAD/TAIL, THP, HUGE — where the bit is the first
    /// small page's answer), has map count 1 without asking. In a region that fork
    /// and write have fully copied this halves the kernel work (~100 ns per frame
    /// per file on the reference machine). `mapcountsFromExclusiveBit` says how
    /// many counts were inferred; `inferExclusive: false` reads them all.
    static func lookup(entries: [[PageMapEntry]], procRoot: String, inferExclusive: Bool = true) -> FrameTable {
        let index = FrameIndex { body in
            for list in entries {
                list.withUnsafeBufferPointer { b in
                    for e in b where e.isPresent { body(e.rawPFN) }
                }
            }
        }
        guard inferExclusive, index.count > 0 else { return lookup(index, procRoot: procRoot) }

        // Frames some observed mapping shows as not exclusive.
        var needsCount = [Bool](repeating: false, count: index.count)
        for list in entries {
            list.withUnsafeBufferPointer { b in
                for e in b where e.isPresent && !e.isExclusivelyMapped {
                    if let i = index.index(of: e.rawPFN) { needsCount[i] = true }
                }
            }
        }
        let flagsResult = KPageFile.read(paths: ["\(procRoot)/kpageflags"], sortedUnique: index.pfns)[0]
        switch flagsResult {
        case .success(let flags):
            let large = PageFlags([.compoundHead, .compoundTail, .thp, .huge]).rawValue
            for i in flags.indices where flags[i] & large != 0 { needsCount[i] = true }
        case .failure:
            // Cannot tell small pages from large ones: ask kpagecount for everything.
            for i in needsCount.indices { needsCount[i] = true }
        }
        var subset: [UInt64] = []
        subset.reserveCapacity(index.count)
        for (i, pfn) in index.pfns.enumerated() where needsCount[i] { subset.append(pfn) }
        let countResult = KPageFile.read(paths: ["\(procRoot)/kpagecount"], sortedUnique: subset)[0]
        var mapcounts: [UInt64]?
        if case .success(let read) = countResult {
            var all = [UInt64](repeating: 1, count: index.count)
            var k = 0
            for i in all.indices where needsCount[i] {
                all[i] = read[k]
                k += 1
            }
            mapcounts = all
        }
        return FrameTable(index: index, mapcounts: mapcounts,
                          flags: (try? flagsResult.get()).map { $0.map(PageFlags.init(rawValue:)) },
                          mapcountStatus: status(countResult), flagsStatus: status(flagsResult),
                          mapcountsFromExclusiveBit: mapcounts == nil ? 0 : index.count - subset.count)
    }

    static func status(_ r: Result<[UInt64], PageMapError>) -> Status {
        switch r {
        case .success: return .available
        case .failure(.needsRoot): return .needsRoot
        case .failure(let e): return .failed(e.description)
        }
    }

    static func lookup(_ index: FrameIndex, procRoot: String) -> FrameTable {
        let results = KPageFile.read(paths: ["\(procRoot)/kpagecount", "\(procRoot)/kpageflags"],
                                     sortedUnique: index.pfns)
        return FrameTable(index: index, mapcounts: try? results[0].get(),
                          flags: (try? results[1].get()).map { $0.map(PageFlags.init(rawValue:)) },
                          mapcountStatus: status(results[0]), flagsStatus: status(results[1]))
    }

    /// Position of `pfn` in `pfns`, or `nil`.
    public func index(of pfn: UInt64) -> Int? { index.index(of: pfn) }

    public func mapcount(of pfn: UInt64) -> UInt64? {
        guard let mapcounts, let i = index(of: pfn) else { return nil }
        return mapcounts[i]
    }

    public func flags(of pfn: UInt64) -> PageFlags? {
        guard let flags, let i = index(of: pfn) else { return nil }
        return flags[i]
    }
}
