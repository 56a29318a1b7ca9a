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

/// Recycles the 2 MiB value blocks of large parses.
///
/// Fresh memory is the largest single cost of parsing a large file: the
/// kernel zeroes every page on first touch, and on this machine's VM freed
/// memory goes back to the host, so each parse paid for zeroing ~20 MB of
/// values again. An observer takes snapshot after snapshot, so keeping a few
/// freed blocks for the next parse removes that cost. At most `limit` blocks
/// (32 MiB) are kept; the rest are freed.
internal final class HugeBlockPool: @unchecked Sendable {
    static let shared = HugeBlockPool()
    static let limit = 16

    private var blocks: [UnsafeMutableRawPointer] = []
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    private init() {
        blocks.reserveCapacity(HugeBlockPool.limit)
        pthread_mutex_init(mutex, nil)
    }

    /// A 2 MiB huge-page block, recycled if one is available.
    func take() -> UnsafeMutableRawPointer? {
        pthread_mutex_lock(mutex)
        let recycled = blocks.popLast()
        pthread_mutex_unlock(mutex)
        return recycled ?? HugePages.allocate(byteCount: HugePages.size)
    }

    /// Keeps `block` (from `take`) for reuse, or frees it when the pool is full.
    func give(_ block: UnsafeMutableRawPointer) {
        pthread_mutex_lock(mutex)
        let kept = blocks.count < HugeBlockPool.limit
        if kept { blocks.append(block) }
        pthread_mutex_unlock(mutex)
        if !kept { free(block) }
    }
}
