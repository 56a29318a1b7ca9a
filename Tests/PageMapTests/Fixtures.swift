import Glibc
import PageMap

/// A temporary directory laid out like /proc, for pointing `procRoot` at.
final class FakeProc {
    let root: String

    init() {
        var template = Array("/tmp/pagemap-fixture-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        root = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    deinit {
        // Fixture files only: remove them one by one (no shell).
        for name in ["kpagecount", "kpageflags"] { unlink("\(root)/\(name)") }
        for pid in pids { unlink("\(root)/\(pid)/pagemap"); rmdir("\(root)/\(pid)") }
        rmdir(root)
    }

    private var pids: [Int32] = []

    /// Writes 64-bit values at `index * 8` into `root/relative`.
    func write(_ relative: String, _ values: [(index: UInt64, value: UInt64)]) {
        let fd = open("\(root)/\(relative)", O_WRONLY | O_CREAT, 0o644)
        precondition(fd >= 0)
        for (index, value) in values {
            var v = value
            precondition(pwrite(fd, &v, 8, off_t(index * 8)) == 8)
        }
        close(fd)
    }

    /// Writes a pagemap for `pid` with `entries` for the pages starting at `address`.
    func pagemap(pid: Int32, address: UInt64, pageSize: UInt64 = 4096, _ entries: [UInt64]) {
        if !pids.contains(pid) { mkdir("\(root)/\(pid)", 0o755); pids.append(pid) }
        let first = address / pageSize
        write("\(pid)/pagemap", entries.enumerated().map { (first + UInt64($0.offset), $0.element) })
    }
}

/// Builders for raw pagemap entries.
enum Raw {
    static let present: UInt64 = 1 << 63
    static let swapped: UInt64 = 1 << 62
    static let file: UInt64 = 1 << 61
    static let exclusive: UInt64 = 1 << 56

    static func page(_ pfn: UInt64, exclusive: Bool = false) -> UInt64 {
        present | pfn | (exclusive ? Raw.exclusive : 0)
    }
}
