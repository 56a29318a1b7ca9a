// The platform import ladder and thin system-call wrappers used by Smaps.
//
// Every wrapper retries EINTR and reports failure as an errno value, so the
// callers decide which SmapsError a failure becomes.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#else
#error("Smaps: unsupported platform")
#endif

/// The current thread's errno.
@inline(__always)
internal var system_errno: Int32 { errno }

/// Opens `path` read-only (or write-only) with close-on-exec, retrying EINTR.
/// Returns the descriptor or `-errno`.
///
/// The corresponding C function is `open`.
internal func system_open(_ path: String, writing: Bool = false) -> Int32 {
    let flags = (writing ? O_WRONLY : O_RDONLY) | O_CLOEXEC
    while true {
        let fd = open(path, flags)
        if fd >= 0 { return fd }
        let e = errno
        if e != EINTR { return -e }
    }
}

/// Reads up to `count` bytes into `buffer`, retrying EINTR.
/// Returns the byte count (0 at end of file) or `-errno`.
///
/// The corresponding C function is `read`.
internal func system_read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    while true {
        let n = read(fd, buffer, count)
        if n >= 0 { return n }
        let e = errno
        if e != EINTR { return -Int(e) }
    }
}

/// Writes all of `bytes`, retrying EINTR and short writes.
/// Returns 0 or `-errno`.
///
/// The corresponding C function is `write`.
internal func system_writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
    guard var p = bytes.baseAddress else { return 0 }
    var left = bytes.count
    while left > 0 {
        let n = write(fd, p, left)
        if n < 0 {
            let e = errno
            if e == EINTR { continue }
            return -e
        }
        if n == 0 { return -EIO }
        p += n
        left -= n
    }
    return 0
}

/// Closes `fd`. EINTR is not retried: on Linux the descriptor is released anyway.
///
/// The corresponding C function is `close`.
internal func system_close(_ fd: Int32) {
    _ = close(fd)
}

/// The size `fstat` reports for `fd`, or nil. procfs files report 0.
///
/// The corresponding C function is `fstat`.
internal func system_fileSize(_ fd: Int32) -> Int? {
    var st = stat()
    guard fstat(fd, &st) == 0 else { return nil }
    guard (st.st_mode & S_IFMT) == S_IFREG else { return nil }
    return Int(st.st_size)
}

/// The message `strerror` gives for `code`.
///
/// The corresponding C function is `strerror`.
internal func system_strerror(_ code: Int32) -> String {
    guard let s = strerror(code) else { return "errno \(code)" }
    return String(cString: s)
}

/// Whether a process with `pid` still exists and is not a zombie, judged from
/// `procRoot/PID/stat` (the state letter after the last `)`).
internal func system_processIsAlive(pid: Int32, procRoot: String) -> Bool {
    guard let bytes = try? readWholeFile("\(procRoot)/\(pid)/stat") else { return false }
    guard let close = bytes.lastIndex(of: UInt8(ascii: ")")), close + 2 < bytes.count else {
        return true
    }
    let state = bytes[close + 2]
    return state != UInt8(ascii: "Z") && state != UInt8(ascii: "X")
}

/// Errno constants re-exported so other files need not import the C library.
internal enum Errno {
    static let noEntry = ENOENT
    static let access = EACCES
    static let permission = EPERM
    static let noProcess = ESRCH
    static let notDirectory = ENOTDIR
    static let invalid = EINVAL
}
