/// Shared machinery for the two per-frame tables, `/proc/kpagecount` and
/// `/proc/kpageflags`: both hold one 64-bit value per PFN at offset `pfn * 8`.
///
/// Lookups are planned over sorted, unique PFNs: neighbours closer than
/// `gapLimit` frames are read with a single `pread` (reading a few unwanted
/// entries is cheaper than another system call), up to `maxSpan` frames per read.
enum KPageFile {
    /// Frames of slack allowed inside one read.
    static let gapLimit: UInt64 = 8
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
        try read(paths: [path], sortedUnique: pfns)[0].get()
    }

    /// Reads several per-frame files (kpagecount, kpageflags) for the same sorted,
    /// unique PFNs. The kernel spends ~100-150 ns per frame per file here, so the
    /// reads are split into chunks and run on all online cores.
    ///
    /// - Returns: one result per path, values in PFN order.
    static func read(paths: [String], sortedUnique pfns: [UInt64]) -> [Result<[UInt64], PageMapError>] {
        var fds: [Result<Int32, PageMapError>] = []
        for path in paths {
            do { fds.append(.success(try open(path))) }  // even for no PFNs: report the capability
            catch { fds.append(.failure(error)) }
        }
        defer { for case .success(let fd) in fds { system_close(fd) } }
        if pfns.isEmpty { return fds.map { $0.map { _ in [] } } }

        return pfns.withUnsafeBufferPointer { sorted -> [Result<[UInt64], PageMapError>] in
            let runs = plan(sorted)
            // Split the runs into chunks of similar span (kernel work is per frame read).
            let cores = Swift.max(1, system_onlineCPUs())
            let span = runs.reduce(0) { $0 + Int(sorted[$1.end - 1] - sorted[$1.first]) + 1 }
            let target = Swift.max(1, span / cores + 1)
            var chunks: [Range<Int>] = []
            var first = 0, acc = 0
            for (i, run) in runs.enumerated() {
                acc += Int(sorted[run.end - 1] - sorted[run.first]) + 1
                if acc >= target || i == runs.count - 1 {
                    chunks.append(first..<(i + 1))
                    first = i + 1
                    acc = 0
                }
            }
            let outputs = paths.map { _ in UnsafeMutableBufferPointer<UInt64>.allocate(capacity: pfns.count) }
            let failures = UnsafeMutableBufferPointer<PageMapError?>.allocate(capacity: paths.count * chunks.count)
            failures.initialize(repeating: nil)
            defer {
                for o in outputs { o.deallocate() }
                failures.deinitialize().deallocate()
            }
            let shared = Unchecked((sorted, runs, chunks, outputs, failures, fds, paths))
            concurrentPerform(iterations: paths.count * chunks.count) { task in
                let (sorted, runs, chunks, outputs, failures, fds, paths) = shared.value
                let file = task / chunks.count
                guard case .success(let fd) = fds[file] else { return }
                if let e = readRuns(fd: fd, path: paths[file], sorted: sorted, runs: runs[chunks[task % chunks.count]],
                                    into: outputs[file]) {
                    failures[task] = e
                }
            }
            return paths.indices.map { file -> Result<[UInt64], PageMapError> in
                if case .failure(let e) = fds[file] { return .failure(e) }
                for c in 0..<chunks.count {
                    if let e = failures[file * chunks.count + c] { return .failure(e) }
                }
                return .success(Array(outputs[file]))
            }
        }
    }

    /// Reads `runs` of one file into `out` (indexed like `sorted`); returns the
    /// first error.
    private static func readRuns(fd: Int32, path: String, sorted: UnsafeBufferPointer<UInt64>,
                                 runs: ArraySlice<Run>, into out: UnsafeMutableBufferPointer<UInt64>) -> PageMapError? {
        let widest = runs.map { Int(sorted[$0.end - 1] - sorted[$0.first]) + 1 }.max() ?? 0
        let scratch = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: widest)
        defer { scratch.deallocate() }
        for run in runs {
            let base = sorted[run.first]
            let span = Int(sorted[run.end - 1] - base) + 1
            let (offset, overflow) = base.multipliedReportingOverflow(by: 8)
            if overflow { return .invalidRange("PFN 0x\(String(base, radix: 16)) overflows") }
            switch system_preadFully(fd, UnsafeMutableRawPointer(scratch.baseAddress!), span * 8, offset) {
            case .failure(let e) where e == .accessDenied || e == .notPermitted:
                return .needsRoot(path: path)
            case .failure(let e):
                return .systemCall(name: "pread", path: path, errno: e)
            case .success(let n) where n < span * 8:
                return .shortRead(path: path, offset: offset, expected: span * 8, got: n)
            case .success:
                for k in run.first..<run.end {
                    out[k] = scratch[Int(sorted[k] - base)]
                }
            }
        }
        return nil
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
