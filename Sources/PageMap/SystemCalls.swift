// The platform import ladder and thin wrappers over the few system calls this
// module makes. Every wrapper retries EINTR and reports failure as an errno value,
// so callers can map it to a `PageMapError` that names the file.

import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
#error("PageMap reads Linux /proc files; this platform is not supported")
#endif

/// The size of a virtual page, in bytes.
///
/// The corresponding C function is `sysconf(_SC_PAGESIZE)`.
public var systemPageSize: Int { Int(sysconf(Int32(_SC_PAGESIZE))) }

/// Opens `path` read-only and close-on-exec.
///
/// Returns the descriptor, or the `errno` of the failure.
/// The corresponding C function is `open`.
func system_open(_ path: String) -> Result<Int32, Errno> {
    while true {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd >= 0 { return .success(fd) }
        if errno != EINTR { return .failure(Errno(errno)) }
    }
}

/// Closes a descriptor; errors are ignored (the descriptor is read-only).
///
/// The corresponding C function is `close`.
func system_close(_ fd: Int32) {
    _ = close(fd)
}

/// Reads up to `count` bytes at `offset`, retrying EINTR.
///
/// The corresponding C function is `pread`.
func system_pread(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int, _ offset: UInt64) -> Result<Int, Errno> {
    while true {
        let n = pread(fd, buffer, count, off_t(Int64(bitPattern: offset)))
        if n >= 0 { return .success(n) }
        if errno != EINTR { return .failure(Errno(errno)) }
    }
}

/// Reads exactly `count` bytes at `offset` with a `pread` loop (procfs files may
/// return short reads), stopping early only at end of file.
///
/// Returns the number of bytes read: less than `count` only at end of file.
func system_preadFully(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int, _ offset: UInt64) -> Result<Int, Errno> {
    var done = 0
    while done < count {
        switch system_pread(fd, buffer + done, count - done, offset + UInt64(done)) {
        case .failure(let e): return .failure(e)
        case .success(0): return .success(done)
        case .success(let n): done += n
        }
    }
    return .success(done)
}

/// An `errno` value, with its name and message for error descriptions.
public struct Errno: Error, Hashable, Sendable, CustomStringConvertible {
    /// The raw `errno` value.
    public let rawValue: Int32

    public init(_ rawValue: Int32) { self.rawValue = rawValue }

    /// `strerror` text, e.g. "Permission denied".
    public var description: String {
        guard let text = strerror(rawValue) else { return "errno \(rawValue)" }
        return String(cString: text)
    }

    static let noEntry = Errno(ENOENT)
    static let noProcess = Errno(ESRCH)
    static let accessDenied = Errno(EACCES)
    static let notPermitted = Errno(EPERM)
}

/// This process's id.
///
/// The corresponding C function is `getpid`.
func system_getpid() -> Int32 { getpid() }

/// Online CPUs.
///
/// The corresponding C function is `sysconf(_SC_NPROCESSORS_ONLN)`.
func system_onlineCPUs() -> Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

/// Runs `body(0..<iterations)` on all cores and returns when all are done.
/// A thin wrapper over Dispatch; callers pass only `Unchecked` state whose
/// slots are written by one iteration each.
func concurrentPerform(iterations: Int, _ body: @Sendable (Int) -> Void) {
    if iterations <= 1 {
        for i in 0..<iterations { body(i) }
        return
    }
    DispatchQueue.concurrentPerform(iterations: iterations, execute: body)
}

/// A value handed to concurrent iterations that each touch disjoint parts of it.
struct Unchecked<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
