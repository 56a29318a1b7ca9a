/// What frame-level data this process can read, probed once (e.g. for a
/// report's environment section).
public struct FrameCapabilities: Hashable, Sendable, CustomStringConvertible {
    /// pagemap shows frame numbers (needs CAP_SYS_ADMIN at open time).
    public let pfnsVisible: Bool
    /// `/proc/kpagecount` opens.
    public let kpagecountReadable: Bool
    /// `/proc/kpageflags` opens.
    public let kpageflagsReadable: Bool

    public init(pfnsVisible: Bool, kpagecountReadable: Bool, kpageflagsReadable: Bool) {
        self.pfnsVisible = pfnsVisible
        self.kpagecountReadable = kpagecountReadable
        self.kpageflagsReadable = kpageflagsReadable
    }

    /// Everything readable.
    public var complete: Bool { pfnsVisible && kpagecountReadable && kpageflagsReadable }

    /// E.g. "frames: needs root (CAP_SYS_ADMIN); present and exclusive bits only".
    public var description: String {
        if complete { return "frames: PFNs, kpagecount and kpageflags readable" }
        var missing: [String] = []
        if !pfnsVisible { missing.append("PFNs hidden") }
        if !kpagecountReadable { missing.append("kpagecount unreadable") }
        if !kpageflagsReadable { missing.append("kpageflags unreadable") }
        return "frames: \(PageMapError.needsRootText) (\(missing.joined(separator: ", "))); present and exclusive bits only"
    }

    /// Probes by reading this process's own pagemap entry for a page it has just
    /// written, and by opening the two frame tables.
    public static func probe(procRoot: String = "/proc") -> FrameCapabilities {
        let pageSize = systemPageSize
        var visible = false
        let page = UnsafeMutableRawPointer.allocate(byteCount: pageSize, alignment: pageSize)
        defer { page.deallocate() }
        // A volatile-like store: the pointer escapes to the kernel read below,
        // so the write cannot be dropped.
        page.storeBytes(of: 1, as: UInt8.self)
        let address = UInt64(UInt(bitPattern: page))
        if let entries = try? PageMapReader.read(
            pid: system_getpid(), range: address..<(address + UInt64(pageSize)), pageSize: pageSize, procRoot: procRoot),
           let e = entries.first {
            visible = e.isPresent && e.rawPFN != 0
        }
        func opens(_ name: String) -> Bool {
            guard case .success(let fd) = system_open("\(procRoot)/\(name)") else { return false }
            system_close(fd)
            return true
        }
        return FrameCapabilities(pfnsVisible: visible, kpagecountReadable: opens("kpagecount"),
                                 kpageflagsReadable: opens("kpageflags"))
    }
}
