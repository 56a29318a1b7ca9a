// Writing /proc/PID/clear_refs.

/// What a write to `/proc/PID/clear_refs` resets (Documentation/filesystems/proc.rst).
public enum ClearRefsKind: Int, Sendable, CaseIterable {
    /// 1: clear the referenced and accessed bits of all pages (Referenced drops to 0).
    case all = 1
    /// 2: only anonymous pages.
    case anonymous = 2
    /// 3: only file-backed pages.
    case fileBacked = 3
    /// 4: clear soft-dirty bits (needs CONFIG_MEM_SOFT_DIRTY; a no-op without it).
    case softDirty = 4
    /// 5: reset the peak resident set size (VmHWM) to the current Rss.
    case peakRSS = 5
}

/// Why a clear_refs write failed.
public enum ClearRefsError: Error, CustomStringConvertible, Equatable {
    /// Only 1 to 5 are defined.
    case valueOutOfRange(Int)
    case noSuchProcess(pid: Int32)
    /// clear_refs is mode 0200: only the owner of the process (or root) may write it.
    case permissionDenied(pid: Int32, path: String)
    /// Any other failure of open(2) or write(2).
    case failed(path: String, errno: Int32)

    public var description: String {
        switch self {
        case .valueOutOfRange(let v):
            return "clear_refs value \(v) is out of range: use 1 (all), 2 (anonymous), 3 (file-backed), 4 (soft-dirty) or 5 (peak RSS)"
        case .noSuchProcess(let pid):
            return "no process with pid \(pid)"
        case .permissionDenied(let pid, let path):
            return "permission denied writing \(path): only the owner of pid \(pid) or root may clear its reference bits"
        case .failed(let path, let code):
            return "cannot write \(path): \(system_strerror(code)) (errno \(code))"
        }
    }
}

/// Writes `value` (1 to 5, see `ClearRefsKind`) to `procRoot/PID/clear_refs`.
///
/// - Throws: `ClearRefsError`, checked before anything is opened for a value
///   out of range.
public func clearRefs(pid: Int32, value: Int, procRoot: String = "/proc") throws {
    guard let kind = ClearRefsKind(rawValue: value) else { throw ClearRefsError.valueOutOfRange(value) }
    try clearRefs(pid: pid, kind, procRoot: procRoot)
}

/// Writes `kind` to `procRoot/PID/clear_refs`.
public func clearRefs(pid: Int32, _ kind: ClearRefsKind, procRoot: String = "/proc") throws {
    let path = "\(procRoot)/\(pid)/clear_refs"
    let fd = system_open(path, writing: true)
    if fd < 0 { throw ClearRefsError(errno: -fd, pid: pid, path: path, atOpen: true) }
    defer { system_close(fd) }
    let text: [UInt8] = [Ascii.zero + UInt8(kind.rawValue), Ascii.newline]
    let rc = text.withUnsafeBytes { system_writeAll(fd, $0) }
    if rc < 0 { throw ClearRefsError(errno: -rc, pid: pid, path: path, atOpen: false) }
}

extension ClearRefsError {
    internal init(errno code: Int32, pid: Int32, path: String, atOpen: Bool) {
        switch code {
        case Errno.access, Errno.permission: self = .permissionDenied(pid: pid, path: path)
        case Errno.noEntry where atOpen, Errno.notDirectory where atOpen: self = .noSuchProcess(pid: pid)
        case Errno.noProcess: self = .noSuchProcess(pid: pid)
        default: self = .failed(path: path, errno: code)
        }
    }
}
