import Glibc
import Testing
@testable import PageMap

/// True when this process can see frame numbers and read kpagecount/kpageflags.
let isRoot = geteuid() == 0

/// Memory mapped by the test process itself. Nothing here forks: the Swift test
/// process is multithreaded. Two processes sharing frames are simulated with
/// two mappings of one tmpfs file, which share page-cache frames exactly as a
/// parent and child share anonymous frames after fork.
struct Mapping: ~Copyable {
    let base: UnsafeMutableRawPointer
    let length: Int
    var address: UInt64 { UInt64(UInt(bitPattern: base)) }
    var range: Range<UInt64> { address..<(address + UInt64(length)) }

    init(pages: Int, flags: Int32, fd: Int32 = -1) {
        length = pages * systemPageSize
        let p = mmap(nil, length, PROT_READ | PROT_WRITE, flags, fd, 0)
        precondition(p != MAP_FAILED, "mmap failed: errno \(errno)")
        base = p!
        // THP is madvise mode here; say no anyway so counts are small pages everywhere.
        _ = madvise(base, length, MADV_NOHUGEPAGE)
    }

    deinit { munmap(base, length) }

    /// Writes one byte in each page. The pointer came from mmap and is read back
    /// by the kernel through pagemap, so the compiler cannot drop the stores.
    func write(pages: Range<Int>, byte: UInt8) {
        for i in pages { (base + i * systemPageSize).storeBytes(of: byte, as: UInt8.self) }
    }

    /// Reads one byte in each page; returns their sum so the loads are used.
    func read(pages: Range<Int>) -> Int {
        pages.reduce(0) { $0 + Int((base + $1 * systemPageSize).load(as: UInt8.self)) }
    }
}

/// An unlinked file on /dev/shm (tmpfs: small pages, no writeback).
struct ShmFile: ~Copyable {
    let fd: Int32
    init(pages: Int) {
        var template = Array("/dev/shm/cowlab-pagemap-XXXXXX".utf8CString)
        fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        precondition(fd >= 0)
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        precondition(ftruncate(fd, off_t(pages * systemPageSize)) == 0)
    }
    deinit { close(fd) }
}

/// Shared_*, Private_* and Pss of the VMA starting at `address`, from
/// /proc/self/smaps (a test-only reader; the Smaps module is not a dependency).
func smapsFigures(at address: UInt64) -> FrameCrossCheck.SmapsFigures? {
    let fd = open("/proc/self/smaps", O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, 65536) }
        if n <= 0 { break }
        bytes += chunk[0..<n]
    }
    let text = String(decoding: bytes, as: UTF8.self)
    let header = String(address, radix: 16) + "-"
    var inBlock = false
    var shared: UInt64 = 0, priv: UInt64 = 0, pss: UInt64 = 0
    var found = false
    for line in text.split(separator: "\n") {
        // A VMA header starts "start-end perms ..."; field lines start "Name:".
        let first = line.prefix { $0 != " " }
        if !first.hasSuffix(":") {
            if inBlock { break }
            inBlock = line.hasPrefix(header)
            found = found || inBlock
            continue
        }
        guard inBlock else { continue }
        let parts = line.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count >= 2, let kb = UInt64(parts[1]) else { continue }
        switch parts[0] {
        case "Shared_Clean:", "Shared_Dirty:": shared += kb * 1024
        case "Private_Clean:", "Private_Dirty:": priv += kb * 1024
        case "Pss:": pss = kb * 1024
        default: break
        }
    }
    return found ? .init(sharedBytes: shared, privateBytes: priv, pssBytes: pss) : nil
}

@Suite("Live pagemap of the test process", .serialized, .timeLimit(.minutes(1)))
struct LiveTests {
    let pid = getpid()

    @Test func capabilitiesMatchPrivilege() {
        let caps = FrameCapabilities.probe()
        #expect(caps.pfnsVisible == isRoot)
        #expect(caps.kpagecountReadable == isRoot)
        #expect(caps.kpageflagsReadable == isRoot)
        if !isRoot { #expect(caps.description.contains("needs root (CAP_SYS_ADMIN)")) }
    }

    @Test func touchedAnonymousPagesArePresentAndExclusive() throws {
        let m = Mapping(pages: 64, flags: MAP_PRIVATE | MAP_ANONYMOUS)
        m.write(pages: 0..<32, byte: 1)
        let r = try RegionPages.read(pid: pid, range: m.range)
        #expect(r.counts.pages == 64)
        #expect(r.counts.present == 32)
        #expect(r.counts.exclusive == 32)
        #expect(r.pages[0..<32].allSatisfy { $0.present && $0.exclusive })
        #expect(r.pages[32...].allSatisfy { !$0.present })
        if isRoot {
            #expect(r.pfnVisibility == .visible)
            #expect(r.counts.distinctFrames == 32)
            #expect(r.counts.privateByMapcount == 32)
            #expect(r.counts.sharedByMapcount == 0)
            #expect(r.counts.anonymous == 32)
            #expect(r.counts.thp == 0)
            #expect(r.counts.zeroPage == 0)
        } else {
            #expect(r.pfnVisibility == .hidden)
            #expect(r.mapcountStatus == .pfnsHidden)
            #expect(r.counts.distinctFrames == nil)
        }
    }

    @Test func readFaultsMapTheZeroPage() throws {
        let m = Mapping(pages: 16, flags: MAP_PRIVATE | MAP_ANONYMOUS)
        #expect(m.read(pages: 0..<16) == 0)
        let r = try RegionPages.read(pid: pid, range: m.range)
        #expect(r.counts.present == 16)
        #expect(r.counts.exclusive == 0, "the zero page is never exclusively mapped")
        if isRoot {
            #expect(r.counts.zeroPage == 16)
            #expect(r.counts.distinctFrames == 1)
            // kpagecount does not count zero-page mappings; smaps leaves them out of Rss.
            #expect(r.pages.allSatisfy { $0.mapcount == 0 })
            #expect(smapsFigures(at: m.address)?.sharedBytes == 0)
            #expect(smapsFigures(at: m.address)?.privateBytes == 0)
        }
    }

    /// Two MAP_SHARED views of one file share every frame (as parent and child do
    /// after fork); a MAP_PRIVATE view that writes half its pages copies those.
    @Test func twoViewsShareFramesAndPrivateWritesCopy() throws {
        let n = 16
        let file = ShmFile(pages: n)
        let a = Mapping(pages: n, flags: MAP_SHARED, fd: file.fd)
        let b = Mapping(pages: n, flags: MAP_SHARED, fd: file.fd)
        let c = Mapping(pages: n, flags: MAP_PRIVATE, fd: file.fd)
        a.write(pages: 0..<n, byte: 7)
        #expect(b.read(pages: 0..<n) == 7 * n)
        #expect(c.read(pages: 0..<n) == 7 * n)
        c.write(pages: 0..<(n / 2), byte: 9)

        let regions = try RegionPages.read([.init(pid: pid, range: a.range), .init(pid: pid, range: b.range),
                                            .init(pid: pid, range: c.range)])
        let (ra, rb, rc) = (regions[0], regions[1], regions[2])
        #expect(ra.counts.present == n && rb.counts.present == n && rc.counts.present == n)

        let ab = FrameJoin.compare(parent: ra, child: rb)
        #expect(ab.counts.shared == n)
        #expect(ab.counts.copied == 0)
        let ac = FrameJoin.compare(parent: ra, child: rc)
        #expect(ac.counts.shared == n / 2)
        #expect(ac.counts.copied == n / 2)
        #expect(Array(ac.relations[0..<(n / 2)]) == Array(repeating: .copied, count: n / 2))
        #expect(rc.counts.exclusive == n / 2)
        #expect(ab.mode == (isRoot ? .frames : .framesHidden))

        if isRoot {
            #expect(zip(ra.pages, rb.pages).allSatisfy { $0.pfn == $1.pfn })
            // First half: mapped by a and b; second half: by a, b and c.
            #expect(ra.pages[0..<(n / 2)].allSatisfy { $0.mapcount == 2 })
            #expect(ra.pages[(n / 2)...].allSatisfy { $0.mapcount == 3 })
            #expect(rc.pages[0..<(n / 2)].allSatisfy { $0.mapcount == 1 && $0.flags?.contains(.anon) == true })
            #expect(ra.counts.anonymous == 0)
            #expect(rc.counts.anonymous == n / 2)
        }

        // Cross-check against this process's own smaps for the three VMAs.
        let figures = [a.address, b.address, c.address].map(smapsFigures(at:))
        try #require(figures.allSatisfy { $0 != nil }, "each mapping is its own VMA in /proc/self/smaps")
        let observations = zip(["a", "b", "c"], zip(regions, figures)).map {
            FrameCrossCheck.Observation(name: $0, pages: $1.0, smaps: $1.1!)
        }
        let findings = FrameCrossCheck.check(observations)
        #expect(findings.allSatisfy { $0.status != .disagrees }, "\(findings)")
        if isRoot {
            #expect(findings.allSatisfy { $0.status == .agrees }, "\(findings)")
            // 16 page-cache frames + 8 private copies.
            #expect(findings.last!.frameBytes == Int64((n + n / 2) * systemPageSize))
        } else {
            #expect(findings.filter { $0.status == .skipped }.count == 4)
        }
    }

    @Test func anExitedProcessIsNoSuchProcess() {
        // PID 2^22 + 1 is above pid_max's default maximum: never a live process.
        #expect(throws: PageMapError.noSuchProcess(pid: 4_194_305)) {
            try PageMapReader.read(pid: 4_194_305, range: 0x1000..<0x2000)
        }
    }

    @Test(.enabled(if: !isRoot, "checks the unprivileged errors; run scripts/test-pagemap-unprivileged.sh"))
    func unprivilegedErrorsAreTyped() throws {
        #expect(throws: PageMapError.needsRoot(path: "/proc/kpagecount")) {
            try KPageCount.read(pfns: [1])
        }
        #expect(throws: PageMapError.needsRoot(path: "/proc/kpageflags")) {
            try KPageFlags.read(pfns: [1])
        }
        let table = FrameTable.lookup([1, 2])
        #expect(table.mapcountStatus == .needsRoot && table.flagsStatus == .needsRoot)
        // Another user's process (init): ptrace read access is refused.
        #expect(throws: PageMapError.permissionDenied(path: "/proc/1/pagemap")) {
            try PageMapReader.read(pid: 1, range: 0x1000..<0x2000)
        }
    }

    /// The exclusive-bit shortcut must give exactly what kpagecount says.
    @Test(.enabled(if: isRoot, "needs root (CAP_SYS_ADMIN) for /proc/kpagecount"))
    func inferredMapcountsEqualKpagecount() throws {
        let file = ShmFile(pages: 8)
        let anon = Mapping(pages: 32, flags: MAP_PRIVATE | MAP_ANONYMOUS)
        let a = Mapping(pages: 8, flags: MAP_SHARED, fd: file.fd)
        let b = Mapping(pages: 8, flags: MAP_SHARED, fd: file.fd)
        anon.write(pages: 0..<16, byte: 1)
        #expect(anon.read(pages: 16..<24) == 0)  // zero page
        a.write(pages: 0..<8, byte: 2)
        #expect(b.read(pages: 0..<4) == 8)
        let targets: [RegionPages.Target] = [.init(pid: pid, range: anon.range), .init(pid: pid, range: a.range),
                                             .init(pid: pid, range: b.range)]
        let inferred = try RegionPages.read(targets)
        let full = try RegionPages.read(targets, inferExclusiveMapcounts: false)
        for (x, y) in zip(inferred, full) {
            #expect(x.pages.map(\.mapcount) == y.pages.map(\.mapcount))
        }
        #expect(inferred[0].pages[0..<16].allSatisfy { $0.mapcount == 1 })
        // b read 4 pages, but fault-around may have mapped its neighbours too:
        // a's count is 2 exactly where b has the page.
        #expect(inferred[1].pages.map(\.mapcount) == inferred[2].pages.map { $0.present ? 2 : 1 })
        #expect(inferred[2].counts.present >= 4)
    }

    /// A PMD-mapped THP: one write faults in 512 small pages, all flagged THP,
    /// in contiguous frames, each carrying the first small page's exclusive bit.
    @Test(.enabled(if: isRoot, "needs root (CAP_SYS_ADMIN) for /proc/kpageflags"))
    func transparentHugePage() throws {
        let huge = 2 << 20
        let m = Mapping(pages: 2 * huge / systemPageSize, flags: MAP_PRIVATE | MAP_ANONYMOUS)
        let aligned = (m.address + UInt64(huge) - 1) & ~UInt64(huge - 1)
        let p = UnsafeMutableRawPointer(bitPattern: UInt(aligned))!
        try #require(madvise(p, huge, MADV_HUGEPAGE) == 0)
        p.storeBytes(of: 1, as: UInt8.self)
        let r = try RegionPages.read(pid: pid, range: aligned..<(aligned + UInt64(huge)))
        // No free 2 MiB block: the fault falls back to one small page; nothing to check.
        guard r.counts.present == 512 else { return }
        #expect(r.counts.thp == 512)
        #expect(r.counts.exclusive == 512)
        #expect(r.counts.distinctFrames == 512)
        let pfns = r.pages.compactMap(\.pfn)
        #expect(zip(pfns, pfns.dropFirst()).allSatisfy { $1 == $0 + 1 })
        #expect(r.pages.first?.flags?.contains(.compoundHead) == true)
        #expect(r.pages.last?.flags?.contains(.compoundTail) == true)
    }

    @Test(.enabled(if: isRoot, "needs root (CAP_SYS_ADMIN) for /proc/kpagecount"))
    func kpageTablesReadAsRoot() throws {
        let m = Mapping(pages: 8, flags: MAP_PRIVATE | MAP_ANONYMOUS)
        m.write(pages: 0..<8, byte: 3)
        let entries = try PageMapReader.read(pid: pid, range: m.range)
        let pfns = entries.compactMap(\.pfn)
        #expect(pfns.count == 8 && !pfns.contains(0))
        #expect(try KPageCount.read(pfns: pfns) == Array(repeating: 1, count: 8))
        #expect(try KPageFlags.read(pfns: pfns).allSatisfy { $0.contains([.anon, .swapBacked]) })
    }
}
