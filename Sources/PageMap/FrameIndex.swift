/// A set of frame numbers, sorted, with a constant-time "position of this PFN".
///
/// Built without sorting: frames are marked in a bitmap spanning the smallest to
/// the largest PFN, which is then scanned in order; a prefix count per 64-bit word
/// ("rank") turns a PFN into its position with two loads and a popcount. When the
/// frames are too sparse for a bitmap (span ≫ count) it falls back to sorting
/// and binary search.
struct FrameIndex: Sendable {
    /// Sorted, unique frame numbers.
    let pfns: [UInt64]
    /// First PFN covered by `words` (a multiple of 64).
    private let base: UInt64
    /// Bit `p - base` set for every PFN `p` in the set; empty in sparse mode.
    private let words: [UInt64]
    /// Number of set bits in `words[0..<i]`.
    private let ranks: [UInt32]

    static let empty = FrameIndex(sorted: [])

    /// From sorted, unique PFNs (binary-search mode).
    init(sorted: [UInt64]) {
        self.init(pfns: sorted, base: 0, words: [], ranks: [])
    }

    private init(pfns: [UInt64], base: UInt64, words: [UInt64], ranks: [UInt32]) {
        self.pfns = pfns
        self.base = base
        self.words = words
        self.ranks = ranks
    }

    /// From a producer that calls its argument once per PFN (duplicates and
    /// zeros allowed, any order). The producer is run twice.
    init(_ produce: ((UInt64) -> Void) -> Void) {
        var lo = UInt64.max, hi: UInt64 = 0, n = 0
        produce { p in
            guard p != 0 else { return }
            lo = Swift.min(lo, p)
            hi = Swift.max(hi, p)
            n += 1
        }
        guard n > 0 else { self.init(sorted: []); return }
        let base = lo & ~63
        let wordCount = Int((hi - base) >> 6) + 1
        guard wordCount <= Swift.max(1 << 16, 8 * n) else {
            // Sparse: sort instead.
            var all: [UInt64] = []
            all.reserveCapacity(n)
            produce { p in if p != 0 { all.append(p) } }
            self.init(sorted: KPageFile.sortedUnique(all))
            return
        }
        var words = [UInt64](repeating: 0, count: wordCount)
        words.withUnsafeMutableBufferPointer { w in
            produce { p in
                guard p != 0 else { return }
                let bit = p - base
                w[Int(bit >> 6)] |= 1 << (bit & 63)
            }
        }
        var ranks = [UInt32](repeating: 0, count: wordCount)
        var total = 0
        for i in 0..<wordCount {
            ranks[i] = UInt32(total)
            total += words[i].nonzeroBitCount
        }
        let pfns = [UInt64](unsafeUninitializedCapacity: total) { out, initialized in
            var k = 0
            for i in 0..<wordCount {
                var w = words[i]
                while w != 0 {
                    out[k] = base + UInt64(i << 6 + w.trailingZeroBitCount)
                    k += 1
                    w &= w - 1
                }
            }
            initialized = k
        }
        self.init(pfns: pfns, base: base, words: words, ranks: ranks)
    }

    /// From PFNs in any order (duplicates and zeros ignored).
    init<C: Collection>(_ pfns: C) where C.Element == UInt64 {
        self.init { body in for p in pfns { body(p) } }
    }

    var count: Int { pfns.count }

    /// Position of `pfn` in `pfns`, or `nil`.
    @inline(__always)
    func index(of pfn: UInt64) -> Int? {
        if words.isEmpty { return pfns.binarySearch(pfn) }
        guard pfn >= base else { return nil }
        let bit = pfn - base
        let i = Int(bit >> 6)
        guard i < words.count else { return nil }
        let w = words[i]
        let mask: UInt64 = 1 << (bit & 63)
        guard w & mask != 0 else { return nil }
        return Int(ranks[i]) + (w & (mask &- 1)).nonzeroBitCount
    }
}
