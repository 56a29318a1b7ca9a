/// Why a pagemap, kpagecount or kpageflags read failed.
///
/// Hidden frame numbers (pagemap read without CAP_SYS_ADMIN) are *not* an error:
/// they are reported by `RegionPages.pfnVisibility` and `FrameCapabilities`.
public enum PageMapError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `/proc/PID` does not exist, or the process exited (a zombie has no
    /// address space: its pagemap reads as empty).
    case noSuchProcess(pid: Int32)
    /// The pagemap of another user's process needs ptrace read access
    /// (EACCES / EPERM on open).
    case permissionDenied(path: String)
    /// `/proc/kpagecount` and `/proc/kpageflags` are mode 0400 root.
    case needsRoot(path: String)
    /// The file is missing: a kernel built without CONFIG_PROC_PAGE_MONITOR,
    /// or a fixture directory without it.
    case unavailable(path: String)
    /// The requested address range is empty, unaligned or overflows.
    case invalidRange(String)
    /// The file ended before the requested entries (e.g. a range above the
    /// top of the user address space, or a truncated fixture).
    case shortRead(path: String, offset: UInt64, expected: Int, got: Int)
    /// Any other failure of a system call on a file.
    case systemCall(name: String, path: String, errno: Errno)

    /// The text shown wherever frame data is missing for lack of privilege.
    public static let needsRootText = "needs root (CAP_SYS_ADMIN)"

    public var description: String {
        switch self {
        case .noSuchProcess(let pid):
            return "no such process: \(pid) (gone, or exited without an address space)"
        case .permissionDenied(let path):
            return "\(path): permission denied (needs ptrace read access to the process)"
        case .needsRoot(let path):
            return "\(path): \(Self.needsRootText)"
        case .unavailable(let path):
            return "\(path): not available (kernel without CONFIG_PROC_PAGE_MONITOR?)"
        case .invalidRange(let why):
            return "invalid address range: \(why)"
        case .shortRead(let path, let offset, let expected, let got):
            return "\(path): short read at offset \(offset): expected \(expected) bytes, got \(got)"
        case .systemCall(let name, let path, let errno):
            return "\(path): \(name) failed: \(errno) (errno \(errno.rawValue))"
        }
    }
}
