/// Reads `/proc/PID/pagemap`: one 64-bit entry per virtual page.
public enum PageMapReader {
    /// Reads the pagemap entries of `range` in process `pid`, with one `pread`
    /// of 8 bytes per page (looped, as procfs may return short reads).
    ///
    /// - Parameters:
    ///   - pid: the process; its pagemap is `procRoot/PID/pagemap`.
    ///   - range: virtual addresses; both ends must be multiples of `pageSize`.
    ///   - pageSize: the virtual page size (defaults to the system's).
    ///   - procRoot: where procfs is mounted; tests point it at fixture files.
    /// - Returns: one entry per page, in address order.
    /// - Throws: `.noSuchProcess` (missing, or exited: a zombie's pagemap is empty),
    ///   `.permissionDenied` (another user's process), `.invalidRange`, `.shortRead`.
    ///
    /// Frame numbers read as zero without CAP_SYS_ADMIN; that is not an error
    /// (see `PageMapEntry.pfnIsHidden`).
    public static func read(
        pid: Int32,
        range: Range<UInt64>,
        pageSize: Int = systemPageSize,
        procRoot: String = "/proc"
    ) throws(PageMapError) -> [PageMapEntry] {
        let page = UInt64(pageSize)
        guard pageSize > 0, pageSize & (pageSize - 1) == 0 else {
            throw .invalidRange("page size \(pageSize) is not a power of two")
        }
        guard range.lowerBound % page == 0, range.upperBound % page == 0 else {
            throw .invalidRange("0x\(String(range.lowerBound, radix: 16))-0x\(String(range.upperBound, radix: 16)) is not page-aligned")
        }
        let count = Int((range.upperBound - range.lowerBound) / page)
        if count == 0 { return [] }
        let offset = (range.lowerBound / page) * 8
        guard offset <= UInt64(Int64.max) - UInt64(count) * 8 else {
            throw .invalidRange("offset overflows")
        }

        let path = "\(procRoot)/\(pid)/pagemap"
        let fd: Int32
        switch system_open(path) {
        case .success(let d): fd = d
        case .failure(let e) where e == .noEntry || e == .noProcess:
            throw .noSuchProcess(pid: pid)
        case .failure(let e) where e == .accessDenied || e == .notPermitted:
            throw .permissionDenied(path: path)
        case .failure(let e):
            throw .systemCall(name: "open", path: path, errno: e)
        }
        defer { system_close(fd) }

        let bytes = count * 8
        var failure: PageMapError?
        let entries = [PageMapEntry](unsafeUninitializedCapacity: count) { buffer, initialized in
            initialized = 0
            switch system_preadFully(fd, UnsafeMutableRawPointer(buffer.baseAddress!), bytes, offset) {
            case .failure(let e) where e == .noProcess:
                failure = .noSuchProcess(pid: pid)
            case .failure(let e):
                failure = .systemCall(name: "pread", path: path, errno: e)
            case .success(0):
                failure = .noSuchProcess(pid: pid)
            case .success(let n) where n < bytes:
                failure = .shortRead(path: path, offset: offset, expected: bytes, got: n)
            case .success:
                // PageMapEntry is a single UInt64 stored in native (little-endian)
                // order, exactly as the kernel writes it.
                initialized = count
            }
        }
        if let failure { throw failure }
        return entries
    }
}
