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
    public let pfns: [UInt64]
    /// `/proc/kpagecount` values, parallel to `pfns`; `nil` if unreadable.
    public let mapcounts: [UInt64]?
    /// `/proc/kpageflags` values, parallel to `pfns`; `nil` if unreadable.
    public let flags: [PageFlags]?
    public let mapcountStatus: Status
    public let flagsStatus: Status

    /// A table from values already known (fixtures, tests). `pfns` must be sorted
    /// and unique; `mapcounts` and `flags`, when given, parallel to it.
    public init(pfns: [UInt64], mapcounts: [UInt64]?, flags: [PageFlags]?,
                mapcountStatus: Status? = nil, flagsStatus: Status? = nil) {
        precondition(mapcounts == nil || mapcounts!.count == pfns.count)
        precondition(flags == nil || flags!.count == pfns.count)
        self.pfns = pfns
        self.mapcounts = mapcounts
        self.flags = flags
        self.mapcountStatus = mapcountStatus ?? (mapcounts == nil ? .needsRoot : .available)
        self.flagsStatus = flagsStatus ?? (flags == nil ? .needsRoot : .available)
    }

    /// The table used when frame numbers are hidden.
    public static let hidden = FrameTable(pfns: [], mapcounts: nil, flags: nil,
                                          mapcountStatus: .pfnsHidden, flagsStatus: .pfnsHidden)

    /// Reads kpagecount and kpageflags for `pfns` (any order; duplicates and
    /// zeros ignored), batching contiguous frames into single reads.
    public static func lookup(_ pfns: some Sequence<UInt64>, procRoot: String = "/proc") -> FrameTable {
        var unique = KPageFile.sortedUnique(pfns)
        if unique.first == 0 { unique.removeFirst() }
        func attempt(_ name: String) -> ([UInt64]?, Status) {
            do {
                return (try KPageFile.read(path: "\(procRoot)/\(name)", sortedUnique: unique), .available)
            } catch .needsRoot {
                return (nil, .needsRoot)
            } catch {
                return (nil, .failed(error.description))
            }
        }
        let (counts, countStatus) = attempt("kpagecount")
        let (flags, flagStatus) = attempt("kpageflags")
        return FrameTable(pfns: unique, mapcounts: counts, flags: flags?.map(PageFlags.init(rawValue:)),
                          mapcountStatus: countStatus, flagsStatus: flagStatus)
    }

    /// Position of `pfn` in `pfns`, or `nil`.
    public func index(of pfn: UInt64) -> Int? { pfns.binarySearch(pfn) }

    public func mapcount(of pfn: UInt64) -> UInt64? {
        guard let mapcounts, let i = index(of: pfn) else { return nil }
        return mapcounts[i]
    }

    public func flags(of pfn: UInt64) -> PageFlags? {
        guard let flags, let i = index(of: pfn) else { return nil }
        return flags[i]
    }
}
