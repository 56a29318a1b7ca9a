import Testing
@testable import PageMap

@Suite("Readers over fixture files")
struct ReaderFixtureTests {
    let base: UInt64 = 0x7f00_0000_0000

    @Test func readsRangeInOrder() throws {
        let proc = FakeProc()
        proc.pagemap(pid: 42, address: base, [Raw.page(10, exclusive: true), 0, Raw.page(11), Raw.swapped | 5])
        let entries = try PageMapReader.read(pid: 42, range: base..<(base + 4 * 4096), pageSize: 4096, procRoot: proc.root)
        #expect(entries.map(\.pfn) == [10, nil, 11, nil])
        #expect(entries.map(\.isExclusivelyMapped) == [true, false, false, false])
        #expect(entries[3].swapType == 5)
        // A sub-range starting in the middle.
        let tail = try PageMapReader.read(pid: 42, range: (base + 2 * 4096)..<(base + 3 * 4096),
                                          pageSize: 4096, procRoot: proc.root)
        #expect(tail.map(\.pfn) == [11])
    }

    @Test func emptyRange() throws {
        let proc = FakeProc()
        #expect(try PageMapReader.read(pid: 1, range: base..<base, pageSize: 4096, procRoot: proc.root).isEmpty)
    }

    @Test func errors() {
        let proc = FakeProc()
        proc.pagemap(pid: 7, address: base, [Raw.page(1)])
        #expect(throws: PageMapError.noSuchProcess(pid: 99)) {
            try PageMapReader.read(pid: 99, range: base..<(base + 4096), pageSize: 4096, procRoot: proc.root)
        }
        #expect(throws: PageMapError.self) {
            try PageMapReader.read(pid: 7, range: (base + 1)..<(base + 4096), pageSize: 4096, procRoot: proc.root)
        }
        // The fixture holds one page: asking for two is a short read, not a crash.
        #expect(throws: PageMapError.shortRead(path: "\(proc.root)/7/pagemap", offset: base / 4096 * 8,
                                               expected: 16, got: 8)) {
            try PageMapReader.read(pid: 7, range: base..<(base + 2 * 4096), pageSize: 4096, procRoot: proc.root)
        }
        // Nothing at all at that offset: reads like an exited process.
        #expect(throws: PageMapError.noSuchProcess(pid: 7)) {
            try PageMapReader.read(pid: 7, range: (base + 8 * 4096)..<(base + 9 * 4096), pageSize: 4096,
                                   procRoot: proc.root)
        }
    }

    @Test func errorTextNamesTheCapability() {
        #expect(PageMapError.needsRoot(path: "/proc/kpagecount").description
                == "/proc/kpagecount: needs root (CAP_SYS_ADMIN)")
    }

    @Test func kpageLookupsBatchAndKeepOrder() throws {
        let proc = FakeProc()
        let pfns: [UInt64] = [5, 6, 7, 300, 1000, 1001, 200_000]
        proc.write("kpagecount", pfns.map { ($0, $0 % 3 + 1) })
        proc.write("kpageflags", pfns.map { ($0, PageFlags.anon.rawValue | ($0 & 1)) })
        let query: [UInt64] = [1001, 5, 200_000, 5, 300, 7, 6, 1000]
        let counts = try KPageCount.read(pfns: query, procRoot: proc.root)
        #expect(counts == query.map { $0 % 3 + 1 })
        let flags = try KPageFlags.read(pfns: query, procRoot: proc.root)
        #expect(flags.map(\.rawValue) == query.map { PageFlags.anon.rawValue | ($0 & 1) })
    }

    @Test func plansFewReadsForRuns() {
        let sorted: [UInt64] = Array(100..<612) + [700] + Array(100_000..<100_010) + [10_000_000]
        let runs = sorted.withUnsafeBufferPointer { KPageFile.plan($0) }
        // 100..<612 and 700 are 89 apart (> gap limit 64): separate reads.
        #expect(runs.map { $0.end - $0.first } == [512, 1, 10, 1])
        let wide: [UInt64] = Array(stride(from: 0, to: 200_000, by: 2))
        let wideRuns = wide.withUnsafeBufferPointer { KPageFile.plan($0) }
        #expect(wideRuns.allSatisfy { wide[$0.end - 1] - wide[$0.first] < KPageFile.maxSpan })
        #expect(wideRuns.count == 4)
    }

    @Test func frameTableRecordsMissingTables() {
        let proc = FakeProc()
        proc.write("kpagecount", [(9, 2)])
        let table = FrameTable.lookup([9, 9, 0], procRoot: proc.root)
        #expect(table.pfns == [9])
        #expect(table.mapcount(of: 9) == 2)
        #expect(table.mapcountStatus == .available)
        #expect(table.flags == nil)
        #expect(table.flagsStatus == .failed("\(proc.root)/kpageflags: not available (kernel without CONFIG_PROC_PAGE_MONITOR?)"))
    }

    @Test func regionFromFixtures() throws {
        let proc = FakeProc()
        // parent: 4 pages; the child (pid 2) copied page 1 and lacks page 3.
        proc.pagemap(pid: 1, address: base, [Raw.page(100), Raw.page(101, exclusive: true), Raw.page(102), Raw.page(103, exclusive: true)])
        proc.pagemap(pid: 2, address: base, [Raw.page(100), Raw.page(500, exclusive: true), Raw.page(102), 0])
        proc.write("kpagecount", [(100, 2), (101, 1), (102, 2), (103, 1), (500, 1)])
        let anon = PageFlags([.anon, .uptodate, .lru, .mmap, .swapBacked]).rawValue
        proc.write("kpageflags", [(100, anon), (101, anon | PageFlags.dirty.rawValue), (102, anon),
                                  (103, anon), (500, anon | PageFlags.dirty.rawValue)])
        let range = base..<(base + 4 * 4096)
        let regions = try RegionPages.read([.init(pid: 1, range: range), .init(pid: 2, range: range)],
                                           pageSize: 4096, procRoot: proc.root)
        let parent = regions[0], child = regions[1]
        #expect(parent.pfnVisibility == .visible)
        #expect(parent.counts.present == 4)
        #expect(parent.counts.exclusive == 2)
        #expect(parent.counts.sharedByMapcount == 2)
        #expect(parent.counts.privateByMapcount == 2)
        #expect(parent.counts.anonymous == 4)
        #expect(parent.counts.dirty == 1)
        #expect(parent.counts.distinctFrames == 4)
        #expect(child.counts.present == 3)
        #expect(child.pages[1].mapcount == 1)
        #expect(child.range == range)

        let join = FrameJoin.compare(parent: parent, child: child)
        #expect(join.mode == .frames)
        #expect(join.relations == [.shared, .copied, .shared, .onlyFirst])
        #expect(join.counts.sharedZeroPage == 0)
        #expect(join.bytes(.copied) == 4096)
    }

    @Test func hiddenFramesAreACapabilityNotAnError() throws {
        let proc = FakeProc()
        // What an unprivileged reader sees: PFNs zero, exclusive bits kept.
        proc.pagemap(pid: 3, address: base, [Raw.present, Raw.present | Raw.exclusive, 0])
        let region = try RegionPages.read(pid: 3, range: base..<(base + 3 * 4096), pageSize: 4096, procRoot: proc.root)
        #expect(region.pfnVisibility == .hidden)
        #expect(region.mapcountStatus == .pfnsHidden)
        #expect(region.mapcountStatus.description.contains("needs root (CAP_SYS_ADMIN)"))
        #expect(region.counts.present == 2)
        #expect(region.counts.exclusive == 1)
        #expect(region.counts.sharedByMapcount == nil)
        #expect(region.counts.anonymous == nil)
        #expect(region.counts.distinctFrames == nil)
        #expect(region.pages.allSatisfy { $0.pfn == nil })
    }
}

@Suite("Map counts from the exclusive bit")
struct ExclusiveInferenceTests {
    let base: UInt64 = 0x7f00_0000_0000

    @Test func exclusiveSmallPagesAreNotAsked() throws {
        let proc = FakeProc()
        // Frame 10: exclusive small page. Frame 11: exclusive but part of a THP.
        // Frame 12: not exclusive. The fixture's kpagecount says 7 everywhere, so
        // a 1 can only come from the inference.
        proc.pagemap(pid: 1, address: base, [Raw.page(10, exclusive: true), Raw.page(11, exclusive: true), Raw.page(12)])
        proc.write("kpagecount", [(10, 7), (11, 7), (12, 7)])
        let anon = PageFlags.anon.rawValue
        proc.write("kpageflags", [(10, anon), (11, anon | PageFlags([.thp, .compoundHead]).rawValue), (12, anon)])
        let range = base..<(base + 3 * 4096)
        let inferred = try RegionPages.read(pid: 1, range: range, pageSize: 4096, procRoot: proc.root)
        #expect(inferred.pages.map(\.mapcount) == [1, 7, 7])
        let full = try RegionPages.read([.init(pid: 1, range: range)], pageSize: 4096, procRoot: proc.root,
                                        inferExclusiveMapcounts: false)[0]
        #expect(full.pages.map(\.mapcount) == [7, 7, 7])
    }

    @Test func aFrameNonExclusiveAnywhereIsAsked() throws {
        let proc = FakeProc()
        proc.pagemap(pid: 1, address: base, [Raw.page(10, exclusive: true)])
        proc.pagemap(pid: 2, address: base, [Raw.page(10)])
        proc.write("kpagecount", [(10, 2)])
        proc.write("kpageflags", [(10, PageFlags.anon.rawValue)])
        let range = base..<(base + 4096)
        let regions = try RegionPages.read([.init(pid: 1, range: range), .init(pid: 2, range: range)],
                                           pageSize: 4096, procRoot: proc.root)
        #expect(regions.map { $0.pages[0].mapcount } == [2, 2])
    }

    @Test func withoutFlagsEveryCountIsRead() throws {
        let proc = FakeProc()
        proc.pagemap(pid: 1, address: base, [Raw.page(10, exclusive: true)])
        proc.write("kpagecount", [(10, 5)])
        let r = try RegionPages.read(pid: 1, range: base..<(base + 4096), pageSize: 4096, procRoot: proc.root)
        #expect(r.pages[0].mapcount == 5)
        #expect(r.flagsStatus != .available)
    }
}
