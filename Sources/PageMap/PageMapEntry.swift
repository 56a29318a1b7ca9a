/// One 64-bit entry of `/proc/PID/pagemap`: what the page table says about one
/// virtual page.
///
/// Layout (Documentation/admin-guide/mm/pagemap.rst):
///
///     bits 0-54  page frame number (PFN) if present
///     bits 0-4   swap type if swapped
///     bits 5-54  swap offset if swapped
///     bit  55    pte is soft-dirty
///     bit  56    page exclusively mapped (since 4.2)
///     bit  57    pte is uffd-wp write-protected (since 5.13)
///     bit  58    pte is a guard region (since 6.15)
///     bits 59-60 zero
///     bit  61    page is file-page or shared-anon (since 3.5)
///     bit  62    page swapped
///     bit  63    page present
///
/// Without CAP_SYS_ADMIN (checked against the credentials of whoever *opened*
/// the pagemap file) the kernel zeroes the PFN field; every other bit is kept.
///
/// Caveat: for a PMD-mapped transparent huge page the kernel computes the
/// exclusive bit once, from the first small page, and repeats it for all 512.
public struct PageMapEntry: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Bits 0-54.
    public static let pfnMask: UInt64 = (1 << 55) - 1
    public static let softDirtyBit: UInt64 = 1 << 55
    public static let exclusiveBit: UInt64 = 1 << 56
    public static let uffdWriteProtectedBit: UInt64 = 1 << 57
    public static let guardRegionBit: UInt64 = 1 << 58
    public static let fileOrSharedAnonBit: UInt64 = 1 << 61
    public static let swappedBit: UInt64 = 1 << 62
    public static let presentBit: UInt64 = 1 << 63

    /// The page is in RAM (bit 63).
    public var isPresent: Bool { rawValue & Self.presentBit != 0 }
    /// The page is in swap (bit 62).
    public var isSwapped: Bool { rawValue & Self.swappedBit != 0 }
    /// The pte is soft-dirty (bit 55). Always clear on kernels without
    /// CONFIG_MEM_SOFT_DIRTY, as on this project's reference machine.
    public var isSoftDirty: Bool { rawValue & Self.softDirtyBit != 0 }
    /// Exactly one page-table entry maps this page (bit 56).
    public var isExclusivelyMapped: Bool { rawValue & Self.exclusiveBit != 0 }
    /// The pte is write-protected by userfaultfd (bit 57).
    public var isUffdWriteProtected: Bool { rawValue & Self.uffdWriteProtectedBit != 0 }
    /// The pte is a guard-region marker from `MADV_GUARD_INSTALL` (bit 58, 6.15+).
    public var isGuardRegion: Bool { rawValue & Self.guardRegionBit != 0 }
    /// The page is a file page or shared anonymous memory (bit 61).
    public var isFileOrSharedAnon: Bool { rawValue & Self.fileOrSharedAnonBit != 0 }

    /// Bits 0-54 as stored, whatever the page state.
    public var rawPFN: UInt64 { rawValue & Self.pfnMask }

    /// The page frame number if the page is present, else `nil`.
    /// Zero when the reader lacks CAP_SYS_ADMIN (see `pfnIsHidden`).
    public var pfn: UInt64? { isPresent ? rawPFN : nil }

    /// The page is present but its frame number reads as zero: the reader lacked
    /// CAP_SYS_ADMIN. (No user page lives in frame 0.)
    public var pfnIsHidden: Bool { isPresent && rawPFN == 0 }

    /// Swap type (bits 0-4) if the page is swapped, else `nil`.
    public var swapType: UInt8? { isSwapped ? UInt8(rawValue & 0x1f) : nil }
    /// Swap offset (bits 5-54) if the page is swapped, else `nil`.
    public var swapOffset: UInt64? { isSwapped ? (rawValue & Self.pfnMask) >> 5 : nil }

    public var description: String {
        var parts: [String] = []
        if isPresent { parts.append("present pfn=0x\(String(rawPFN, radix: 16))") }
        if isSwapped { parts.append("swapped type=\(swapType!) offset=\(swapOffset!)") }
        if !isPresent && !isSwapped { parts.append("none") }
        if isExclusivelyMapped { parts.append("exclusive") }
        if isFileOrSharedAnon { parts.append("file/shared-anon") }
        if isSoftDirty { parts.append("soft-dirty") }
        if isUffdWriteProtected { parts.append("uffd-wp") }
        if isGuardRegion { parts.append("guard") }
        return parts.joined(separator: " ")
    }
}
