/// `/proc/kpagecount`: how many page-table entries map each frame.
///
/// Root only (mode 0400). With CONFIG_PAGE_MAPCOUNT (this project's reference
/// machine) the count is exact per small page; with CONFIG_NO_PAGE_MAPCOUNT
/// (6.15+) the kernel reports an average over a large folio, an estimate.
/// The shared zero page reads as 0: it is never counted as mapped.
public enum KPageCount {
    /// Reads the map count of each PFN (any order, duplicates allowed), with
    /// contiguous frames batched into one `pread`.
    ///
    /// - Returns: one count per input PFN, in input order.
    /// - Throws: `.needsRoot` without privilege ("needs root (CAP_SYS_ADMIN)"),
    ///   `.unavailable` if the file is missing.
    public static func read(pfns: [UInt64], procRoot: String = "/proc") throws(PageMapError) -> [UInt64] {
        try KPageFile.read(path: "\(procRoot)/kpagecount", pfns: pfns)
    }
}

/// `/proc/kpageflags`: the flags of each frame (see `PageFlags`). Root only.
public enum KPageFlags {
    /// Reads the flags of each PFN (any order, duplicates allowed), with
    /// contiguous frames batched into one `pread`.
    ///
    /// - Returns: one value per input PFN, in input order.
    /// - Throws: `.needsRoot` without privilege, `.unavailable` if missing.
    public static func read(pfns: [UInt64], procRoot: String = "/proc") throws(PageMapError) -> [PageFlags] {
        try KPageFile.read(path: "\(procRoot)/kpageflags", pfns: pfns).map(PageFlags.init(rawValue:))
    }
}
