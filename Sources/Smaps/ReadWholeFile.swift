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
