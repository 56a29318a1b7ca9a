/// Shared machinery for the two per-frame tables, `/proc/kpagecount` and
/// `/proc/kpageflags`: both hold one 64-bit value per PFN at offset `pfn * 8`.
///
/// Lookups are planned over sorted, unique PFNs: neighbours closer than
/// `gapLimit` frames are read with a single `pread` (reading a few unwanted
/// entries is cheaper than another system call), up to `maxSpan` frames per read.
enum KPageFile {
    /// Frames of slack allowed inside one read.
    static let gapLimit: UInt64 = 64
    /// Most frames covered by one read (512 KiB of buffer).
    static let maxSpan: UInt64 = 65_536

    /// One `pread`: entries `first..<end` of the sorted PFN array, covering
    /// frames `pfns[first]...pfns[end-1]`.
    struct Run { var first: Int; var end: Int }

    /// Splits sorted unique PFNs into reads.
    static func plan(_ sorted: UnsafeBufferPointer<UInt64>) -> [Run] {
        var runs: [Run] = []
        var i = 0
        while i < sorted.count {
            let start = sorted[i]
            var j = i + 1
            while j < sorted.count, sorted[j] - sorted[j - 1] <= gapLimit, sorted[j] - start < maxSpan {
                j += 1
            }
            runs.append(Run(first: i, end: j))
            i = j
        }
        return runs
    }

    /// Opens a kpage file, mapping EACCES/EPERM to `.needsRoot`.
    static func open(_ path: String) throws(PageMapError) -> Int32 {
        switch system_open(path) {
        case .success(let fd): return fd
        case .failure(let e) where e == .accessDenied || e == .notPermitted:
            throw .needsRoot(path: path)
        case .failure(let e) where e == .noEntry:
            throw .unavailable(path: path)
        case .failure(let e):
            throw .systemCall(name: "open", path: path, errno: e)
        }
    }

    /// Reads the values of sorted, unique `pfns` from the file at `path`,
    /// in the same order.
    static func read(path: String, sortedUnique pfns: [UInt64]) throws(PageMapError) -> [UInt64] {
        let fd = try open(path)  // even for no PFNs: report the capability
        defer { system_close(fd) }
        if pfns.isEmpty { return [] }
        var failure: PageMapError?
        let values = [UInt64](unsafeUninitializedCapacity: pfns.count) { out, initialized in
            initialized = 0
            pfns.withUnsafeBufferPointer { sorted in
                let runs = plan(sorted)
                let widest = runs.map { Int(sorted[$0.end - 1] - sorted[$0.first]) + 1 }.max() ?? 0
                let scratch = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: widest)
                defer { scratch.deallocate() }
                for run in runs {
                    let base = sorted[run.first]
                    let span = Int(sorted[run.end - 1] - base) + 1
                    let (offset, overflow) = base.multipliedReportingOverflow(by: 8)
                    if overflow { failure = .invalidRange("PFN 0x\(String(base, radix: 16)) overflows"); return }
                    switch system_preadFully(fd, UnsafeMutableRawPointer(scratch.baseAddress!), span * 8, offset) {
                    case .failure(let e) where e == .accessDenied || e == .notPermitted:
                        failure = .needsRoot(path: path); return
                    case .failure(let e):
                        failure = .systemCall(name: "pread", path: path, errno: e); return
                    case .success(let n) where n < span * 8:
                        failure = .shortRead(path: path, offset: offset, expected: span * 8, got: n); return
                    case .success:
                        for k in run.first..<run.end {
                            (out.baseAddress! + k).initialize(to: scratch[Int(sorted[k] - base)])
                        }
                        initialized = run.end
                    }
                }
            }
        }
        if let failure { throw failure }
        return values
    }

    /// Reads values for PFNs in any order (duplicates allowed), returned in the
    /// order given.
    static func read(path: String, pfns: [UInt64]) throws(PageMapError) -> [UInt64] {
        let unique = sortedUnique(pfns)
        let values = try read(path: path, sortedUnique: unique)
        return pfns.map { values[unique.binarySearch($0)!] }
    }

    /// Sorted, de-duplicated copy (Swift's sort exploits existing runs, which
    /// freshly faulted memory tends to have).
    static func sortedUnique(_ pfns: some Sequence<UInt64>) -> [UInt64] {
        var a = Array(pfns)
        a.sort()
        var w = 0
        for r in a.indices where r == 0 || a[r] != a[r - 1] {
            a[w] = a[r]
            w += 1
        }
        a.removeLast(a.count - w)
        return a
    }
}

extension Array where Element == UInt64 {
    /// Index of `value` in a sorted array, or `nil`.
    func binarySearch(_ value: UInt64) -> Int? {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if self[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo < count && self[lo] == value ? lo : nil
    }
}
