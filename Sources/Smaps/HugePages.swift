// Large result buffers with transparent huge pages.
//
// Parsing a 72 MB smaps file builds ~35 MB of mappings and values. Touching
// that memory 4 KiB at a time costs ~8,000 page faults, more than a third of
// the parse on this machine's VM; with MADV_HUGEPAGE (THP is in "madvise"
// mode here) a fault maps 2 MiB. Advice only: where THP is off nothing changes.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

internal enum HugePages {
    static let size = 2 << 20

    /// Asks for huge pages on the whole 2 MiB-aligned part of `[start, start+count)`.
    ///
    /// The corresponding C function is `madvise`.
    static func advise(_ start: UnsafeRawPointer, byteCount: Int) {
        #if os(Linux)
        let first = (UInt(bitPattern: start) + UInt(size - 1)) & ~UInt(size - 1)
        let last = (UInt(bitPattern: start) + UInt(byteCount)) & ~UInt(size - 1)
        guard last > first, let p = UnsafeMutableRawPointer(bitPattern: first) else { return }
        _ = madvise(p, Int(last - first), MADV_HUGEPAGE)
        #endif
    }

    /// `byteCount` bytes aligned to 2 MiB, with huge-page advice; free with `free`.
    static func allocate(byteCount: Int) -> UnsafeMutableRawPointer? {
        var p: UnsafeMutableRawPointer? = nil
        guard posix_memalign(&p, size, byteCount) == 0, let p else { return nil }
        advise(p, byteCount: byteCount)
        return p
    }
}
