// Reading a whole file with a read(2) loop.
//
// procfs files report st_size 0 and return short reads, so Foundation's
// Data(contentsOf:) / String(contentsOfFile:) truncate them (GUIDE §6). These
// functions read until read(2) returns 0, retrying EINTR.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a whole-file read failed: the errno and whether it happened at `open`.
internal struct FileReadFailure: Error {
    var errno: Int32
    var atOpen: Bool
}

/// Reads all of `path` into a malloc'd buffer and passes it to `body`; the
/// buffer is freed when `body` returns. Growth uses `realloc`, which glibc turns
/// into `mremap` for large blocks, so big files are not copied on growth.
internal func withWholeFile<R>(
    _ path: String,
    _ body: (UnsafeRawBufferPointer) throws -> R
) throws -> R {
    let fd = system_open(path)
    if fd < 0 { throw FileReadFailure(errno: -fd, atOpen: true) }
    defer { system_close(fd) }

    // Regular files: size + 1 so the final read(2) that returns 0 needs no growth.
    // procfs reports 0; start at 1 MiB, which a read of smaps fills in large chunks.
    var capacity = max((system_fileSize(fd) ?? 0) + 1, 1 << 20)
    guard var base = malloc(capacity) else { throw FileReadFailure(errno: Errno.invalid, atOpen: false) }
    defer { free(base) }
    var count = 0
    while true {
        if count == capacity {
            capacity *= 2
            guard let grown = realloc(base, capacity) else {
                throw FileReadFailure(errno: ENOMEM, atOpen: false)
            }
            base = grown
        }
        let n = system_read(fd, base + count, capacity - count)
        if n < 0 { throw FileReadFailure(errno: Int32(-n), atOpen: false) }
        if n == 0 { break }
        count += n
    }
    return try body(UnsafeRawBufferPointer(start: base, count: count))
}

/// Reads the whole of `path` with a `read(2)` loop until it returns 0, retrying
/// EINTR. Use this, not `Data(contentsOf:)`, for /proc files: procfs reports a
/// size of 0 and Foundation truncates them.
///
/// - Throws: `SmapsError.permissionDenied(pid: nil, path:)` for EACCES/EPERM,
///   otherwise `SmapsError.unreadable(path:errno:)`.
public func readWholeFile(_ path: String) throws -> [UInt8] {
    do {
        return try withWholeFile(path) { [UInt8]($0) }
    } catch let failure as FileReadFailure {
        throw SmapsError(failure, path: path, pid: nil)
    }
}

/// Reads `path` in chunks into one reused buffer and hands each read's bytes
/// (prefixed by what the previous call left unused) to `consume`, which
/// returns how many bytes it used. Returns the final unused bytes' count, and
/// passes them to `finish`. A buffer that fills without `consume` using any
/// byte is doubled (a line longer than the buffer).
///
/// Streaming keeps the memory touched small: reading a 72 MB file into one
/// fresh buffer costs more in page faults than the read itself.
internal func streamFile<R>(
    _ path: String,
    chunkSize: Int = 1 << 18,
    sizeHint: (Int) -> Void = { _ in },
    consume: (UnsafeRawBufferPointer) throws -> Int,
    finish: (_ unused: UnsafeRawBufferPointer) throws -> R
) throws -> R {
    let fd = system_open(path)
    if fd < 0 { throw FileReadFailure(errno: -fd, atOpen: true) }
    defer { system_close(fd) }
    if let size = system_fileSize(fd), size > 0 { sizeHint(size) }
    var capacity = chunkSize
    guard var base = malloc(capacity) else { throw FileReadFailure(errno: ENOMEM, atOpen: false) }
    defer { free(base) }
    var filled = 0
    while true {
        if filled == capacity {
            capacity *= 2
            guard let grown = realloc(base, capacity) else { throw FileReadFailure(errno: ENOMEM, atOpen: false) }
            base = grown
        }
        let n = system_read(fd, base + filled, capacity - filled)
        if n < 0 { throw FileReadFailure(errno: Int32(-n), atOpen: false) }
        if n == 0 { break }
        filled += n
        let used = try consume(UnsafeRawBufferPointer(start: base, count: filled))
        if used > 0 {
            filled -= used
            if filled > 0 { memmove(base, base + used, filled) }
        }
    }
    return try finish(UnsafeRawBufferPointer(start: base, count: filled))
}
