// A parsed smaps file: its mappings, lookups and sums.

/// All mappings of one `/proc/PID/smaps` (or `smaps_rollup`) read, in file order.
public struct SmapsSnapshot: Sendable {
    /// The mappings in file order. Real files list them sorted by start address,
    /// which lets the lookups binary-search; unsorted input falls back to a scan.
    public var mappings: [Mapping] {
        didSet { isOrdered = Self.ordered(mappings) }
    }
    /// Where the bytes came from (a path), used in messages.
    public var source: String
    /// Mappings sorted by start with non-decreasing ends (so both are searchable).
    internal private(set) var isOrdered: Bool

    /// A snapshot of the given mappings.
    public init(mappings: [Mapping], source: String = "") {
        self.mappings = mappings
        self.source = source
        self.isOrdered = Self.ordered(mappings)
    }

    /// Parses smaps or smaps_rollup text.
    /// - Throws: `SmapsError.empty` for zero bytes, `SmapsError.malformed` with
    ///   line and byte offset for anything that is not smaps.
    public init(parsing bytes: UnsafeRawBufferPointer, source: String) throws {
        self.init(mappings: try SmapsParser.parse(bytes, source: source), source: source)
    }

    /// Parses smaps or smaps_rollup text.
    public init(parsing bytes: [UInt8], source: String) throws {
        self = try bytes.withUnsafeBytes { try SmapsSnapshot(parsing: $0, source: source) }
    }

    /// Reads and parses `procRoot/PID/smaps` of a live process.
    ///
    /// - Throws: `.noSuchProcess` if the pid has no /proc entry,
    ///   `.processExited` if it vanished while being read (ESRCH, or an empty
    ///   read of a process that is gone or a zombie), `.permissionDenied` for
    ///   EACCES/EPERM, `.empty` for a live process without mappings (a kernel
    ///   thread), `.malformed` if the kernel's text does not parse.
    public static func read(pid: Int32, procRoot: String = "/proc") throws -> SmapsSnapshot {
        SmapsSnapshot(mappings: try read(pid: pid, file: "smaps", procRoot: procRoot, keep: true, each: { _ in }), source: "\(procRoot)/\(pid)/smaps")
    }

    /// Reads and parses `procRoot/PID/smaps_rollup` (Linux 4.14+): one
    /// `[rollup]` mapping whose fields sum all mappings with a more precise Pss.
    public static func readRollup(pid: Int32, procRoot: String = "/proc") throws -> SmapsSnapshot {
        SmapsSnapshot(mappings: try read(pid: pid, file: "smaps_rollup", procRoot: procRoot, keep: true, each: { _ in }), source: "\(procRoot)/\(pid)/smaps_rollup")
    }

    /// Receives the mappings parsed so far, in order, while the input is still
    /// being read (each mapping once). It may run on another thread than the
    /// caller of the read, never on two at once, and always before the read returns.
    internal typealias Progress = (ArraySlice<Mapping>) -> Void

    /// Streams `procRoot/PID/FILE` through `each` and keeps nothing: memory
    /// stays at one chunk's worth of mappings whatever the input's size.
    /// Throws what `read(pid:)` throws.
    internal static func stream(pid: Int32, file: String, procRoot: String, each: Progress) throws {
        _ = try read(pid: pid, file: file, procRoot: procRoot, keep: false, each: each)
    }

    /// Streams a saved file (or any path) through `each` and keeps nothing.
    /// Throws what `read(path:)` throws. `slotSize` and `readAhead` are
    /// `pipelinedRead`'s (tests force the two-thread path with them).
    internal static func stream(path: String, slotSize: Int? = nil, readAhead: Bool? = nil, each: Progress) throws {
        _ = try read(path: path, keep: false, slotSize: slotSize, readAhead: readAhead, each: each)
    }

    private static func read(pid: Int32, file: String, procRoot: String, keep: Bool, each: Progress) throws -> [Mapping] {
        let path = "\(procRoot)/\(pid)/\(file)"
        do {
            return try parseFile(path, keep: keep, each: each)
        } catch SmapsError.empty(let source) {
            if !system_processIsAlive(pid: pid, procRoot: procRoot) {
                throw SmapsError.processExited(pid: pid)
            }
            throw SmapsError.empty(source: source)
        } catch let failure as FileReadFailure {
            if failure.atOpen && failure.errno == Errno.notDirectory {
                throw SmapsError.noSuchProcess(pid: pid)
            }
            throw SmapsError(failure, path: path, pid: pid)
        }
    }

    /// Reads and parses a saved smaps or smaps_rollup file (or any path,
    /// /proc included, read with a read(2) loop).
    public static func read(path: String) throws -> SmapsSnapshot {
        SmapsSnapshot(mappings: try read(path: path, keep: true, each: { _ in }), source: path)
    }

    private static func read(
        path: String, keep: Bool, slotSize: Int? = nil, readAhead: Bool? = nil, each: Progress
    ) throws -> [Mapping] {
        do {
            return try parseFile(path, keep: keep, slotSize: slotSize, readAhead: readAhead, each: each)
        } catch let failure as FileReadFailure {
            throw SmapsError(failure, path: path, pid: nil)
        }
    }

    /// Streams `path` through the parser, parsing on a second thread while
    /// this one reads (see `pipelinedRead`), and hands new mappings to `each`
    /// as they come. Returns every mapping with `keep`, none without.
    private static func parseFile(
        _ path: String, keep: Bool, slotSize: Int? = nil, readAhead: Bool? = nil, each: Progress
    ) throws -> [Mapping] {
        var parser = SmapsParser(source: path)
        if !keep { parser.expectStreaming() }
        var carrier = LineCarrier()
        var reported = 0
        func report() {
            guard parser.mappings.count > reported else { return }
            each(parser.mappings[reported...])
            if keep {
                reported = parser.mappings.count
            } else {
                parser.discardMappings()
            }
        }
        return try pipelinedRead(
            path,
            slotSize: slotSize ?? pipelinedReadSlotSize,
            readAhead: readAhead,
            sizeHint: { if keep { parser.expect(bytes: $0) } },
            consume: {
                try carrier.feed($0, to: &parser)
                report()
            },
            finish: {
                let tail = carrier.leftover
                _ = try tail.withUnsafeBytes { try parser.finish(unconsumed: $0.count, tail: $0) }
                report()
                return parser.mappings
            })
    }

    // MARK: Rollup

    /// Whether this is a `smaps_rollup` read: a single `[rollup]` mapping.
    public var isRollup: Bool { mappings.count == 1 && mappings[0].isRollup }

    /// The `[rollup]` entry of a `smaps_rollup` read, nil for a plain smaps.
    public var rollup: Mapping? { isRollup ? mappings[0] : nil }

    // MARK: Lookup

    /// The mappings that overlap `range` (at least one common address), in order.
    public func mappings(overlapping range: Range<UInt64>) -> [Mapping] {
        guard !range.isEmpty else { return [] }
        guard isOrdered else {
            return mappings.filter { $0.start < range.upperBound && $0.end > range.lowerBound }
        }
        // First mapping whose end is above the range start (ends are non-decreasing).
        var lo = 0
        var hi = mappings.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if mappings[mid].end <= range.lowerBound { lo = mid + 1 } else { hi = mid }
        }
        var result: [Mapping] = []
        var i = lo
        while i < mappings.count && mappings[i].start < range.upperBound {
            if mappings[i].end > range.lowerBound && mappings[i].start < mappings[i].end {
                result.append(mappings[i])
            }
            i += 1
        }
        return result
    }

    /// The mapping with `start <= address < end`, or nil (the first one if
    /// the input lists overlapping mappings).
    public func mapping(containing address: UInt64) -> Mapping? {
        guard address < UInt64.max else {
            return mappings.first { $0.contains(address) }
        }
        return mappings(overlapping: address..<address + 1).first
    }

    // MARK: Sums

    /// The `field` kB values summed over all mappings (absent lines count 0).
    ///
    /// Which Pss: summed over smaps this is the sum of per-mapping Pss values,
    /// each of which the kernel truncated to whole kB, so it is slightly below
    /// the `Pss` of `smaps_rollup`, which the kernel sums before truncating.
    /// For a rollup snapshot this returns the rollup's own value.
    public func total(_ field: String) -> UInt64 {
        total(field, where: { _ in true })
    }

    /// The `field` kB values summed over the mappings that satisfy `include`.
    public func total(_ field: String, where include: (Mapping) -> Bool) -> UInt64 {
        var sum: UInt64 = 0
        if let id = KnownField.id(field) {
            for m in mappings where include(m) {
                if let v = m.kilobytes(known: id) { sum &+= v }
            }
        } else {
            for m in mappings where include(m) {
                if let v = m.kilobytes(field) { sum &+= v }
            }
        }
        return sum
    }

    /// Sum over mappings with a non-empty pathname (files and `[heap]`, `[stack]`…).
    public func totalNamed(_ field: String) -> UInt64 {
        total(field) { !$0.pathname.isEmpty }
    }

    /// Sum over mappings with an empty pathname (anonymous mmap regions).
    public func totalUnnamed(_ field: String) -> UInt64 {
        total(field) { $0.pathname.isEmpty }
    }

    /// Sum over the mappings whose pathname is exactly `pathname`.
    public func total(_ field: String, pathname: String) -> UInt64 {
        total(field) { $0.pathname == pathname }
    }

    /// Every kB field summed over all mappings, in first-seen order (one pass;
    /// the same sums as `total(_:)`, which is per field). Absent lines count
    /// 0; a key repeated within one mapping counts once, as in `kilobytes`.
    public func totals() -> [(name: String, kilobytes: UInt64)] {
        var sums = FieldTotals()
        sums.add(mappings[...])
        return sums.totals
    }

    /// Every kB field name met, in first-seen order.
    public var fieldNames: [String] {
        var seen = Set<String>()
        var names: [String] = []
        var lastLayout: FieldLayout? = nil
        for m in mappings where m.layout !== lastLayout {
            lastLayout = m.layout
            for n in m.layout.names where seen.insert(n).inserted { names.append(n) }
        }
        return names
    }

    /// The distinct pathnames in first-seen order ("" for unnamed mappings).
    public var pathnames: [String] {
        var seen = Set<String>()
        return mappings.map(\.pathname).filter { seen.insert($0).inserted }
    }

    private static func ordered(_ mappings: [Mapping]) -> Bool {
        var i = 1
        while i < mappings.count {
            if mappings[i].start < mappings[i - 1].start || mappings[i].end < mappings[i - 1].end {
                return false
            }
            i += 1
        }
        return true
    }
}

/// Sums every kB field over mappings added piece by piece (as a stream is
/// parsed), in first-seen order: what `SmapsSnapshot.totals()` returns for
/// the same mappings.
internal struct FieldTotals {
    private var names: [String] = []
    private var index: [String: Int] = [:]
    private var sums: [UInt64] = []
    private var lastLayout: FieldLayout? = nil
    /// For each position of `lastLayout`, its slot in `sums` (-1: a repeated key).
    private var slots: [Int] = []

    mutating func add(_ mappings: ArraySlice<Mapping>) {
        mappings.withUnsafeBufferPointer { list in
            for i in list.indices {
                let layout = list[i].layout
                if layout !== lastLayout { use(layout) }
                let values = list[i].values
                for p in 0..<slots.count where slots[p] >= 0 { sums[slots[p]] &+= values[p] }
            }
        }
    }

    private mutating func use(_ layout: FieldLayout) {
        lastLayout = layout
        slots = layout.names.enumerated().map { p, name in
            if layout.position(of: name) != p { return -1 }
            if let slot = index[name] { return slot }
            index[name] = names.count
            names.append(name)
            sums.append(0)
            return names.count - 1
        }
    }

    var totals: [(name: String, kilobytes: UInt64)] {
        Array(zip(names, sums)).map { (name: $0.0, kilobytes: $0.1) }
    }
}
