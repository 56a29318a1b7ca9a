import Testing
@testable import PageMap

@Suite("PageMapEntry decoding")
struct PageMapEntryTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var raw: UInt64
        var present: Bool
        var swapped: Bool
        var pfn: UInt64?
        var exclusive: Bool
        var file: Bool
        var softDirty = false
        var uffd = false
        var guardRegion = false
        var swapType: UInt8? = nil
        var swapOffset: UInt64? = nil
        var testDescription: String { "0x" + String(raw, radix: 16) }
    }

    static let cases: [Case] = [
        Case(raw: 0, present: false, swapped: false, pfn: nil, exclusive: false, file: false),
        Case(raw: 1 << 63 | 0x12345, present: true, swapped: false, pfn: 0x12345, exclusive: false, file: false),
        Case(raw: 1 << 63 | 1 << 56 | 0x7f_ffff_ffff_ffff, present: true, swapped: false,
             pfn: 0x7f_ffff_ffff_ffff, exclusive: true, file: false),
        Case(raw: 1 << 63 | 1 << 61 | 42, present: true, swapped: false, pfn: 42, exclusive: false, file: true),
        // Present without CAP_SYS_ADMIN: PFN zeroed, other bits kept.
        Case(raw: 1 << 63 | 1 << 56, present: true, swapped: false, pfn: 0, exclusive: true, file: false),
        // Swapped: type in bits 0-4, offset in bits 5-54.
        Case(raw: 1 << 62 | (77 << 5) | 3, present: false, swapped: true, pfn: nil, exclusive: false, file: false,
             swapType: 3, swapOffset: 77),
        Case(raw: 1 << 55, present: false, swapped: false, pfn: nil, exclusive: false, file: false, softDirty: true),
        Case(raw: 1 << 57, present: false, swapped: false, pfn: nil, exclusive: false, file: false, uffd: true),
        Case(raw: 1 << 58, present: false, swapped: false, pfn: nil, exclusive: false, file: false, guardRegion: true),
        // Bits 59-60 are zero today; a set one must not leak into the PFN.
        Case(raw: 1 << 63 | 1 << 59 | 1 << 60 | 9, present: true, swapped: false, pfn: 9, exclusive: false, file: false),
    ]

    @Test(arguments: cases)
    func decodes(_ c: Case) {
        let e = PageMapEntry(rawValue: c.raw)
        #expect(e.isPresent == c.present)
        #expect(e.isSwapped == c.swapped)
        #expect(e.pfn == c.pfn)
        #expect(e.isExclusivelyMapped == c.exclusive)
        #expect(e.isFileOrSharedAnon == c.file)
        #expect(e.isSoftDirty == c.softDirty)
        #expect(e.isUffdWriteProtected == c.uffd)
        #expect(e.isGuardRegion == c.guardRegion)
        #expect(e.swapType == c.swapType)
        #expect(e.swapOffset == c.swapOffset)
        #expect(e.pfnIsHidden == (c.present && c.pfn == 0))
    }

    @Test func describes() {
        #expect(PageMapEntry(rawValue: 0).description == "none")
        #expect(PageMapEntry(rawValue: 1 << 63 | 1 << 56 | 0xff).description == "present pfn=0xff exclusive")
    }
}

@Suite("PageFlags bits")
struct PageFlagsTests {
    /// Bit numbers from Documentation/admin-guide/mm/pagemap.rst.
    static let bits: [(String, Int)] = [
        ("LOCKED", 0), ("ERROR", 1), ("REFERENCED", 2), ("UPTODATE", 3), ("DIRTY", 4), ("LRU", 5),
        ("ACTIVE", 6), ("SLAB", 7), ("WRITEBACK", 8), ("RECLAIM", 9), ("BUDDY", 10), ("MMAP", 11),
        ("ANON", 12), ("SWAPCACHE", 13), ("SWAPBACKED", 14), ("COMPOUND_HEAD", 15), ("COMPOUND_TAIL", 16),
        ("HUGE", 17), ("UNEVICTABLE", 18), ("HWPOISON", 19), ("NOPAGE", 20), ("KSM", 21), ("THP", 22),
        ("OFFLINE", 23), ("ZERO_PAGE", 24), ("IDLE", 25), ("PGTABLE", 26),
        ("RESERVED", 32), ("MLOCKED", 33), ("MAPPEDTODISK", 34), ("PRIVATE", 35), ("PRIVATE_2", 36),
        ("OWNER_PRIVATE", 37), ("ARCH", 38), ("UNCACHED", 39), ("SOFTDIRTY", 40), ("ARCH_2", 41),
    ]

    @Test(arguments: bits)
    func bitNumber(_ name: String, _ bit: Int) {
        let named = PageFlags.names.first { $0.1 == name }
        #expect(named?.0.rawValue == 1 << UInt64(bit))
    }

    @Test func namedConstants() {
        #expect(PageFlags.anon.rawValue == 1 << 12)
        #expect(PageFlags.thp.rawValue == 1 << 22)
        #expect(PageFlags.zeroPage.rawValue == 1 << 24)
        #expect(PageFlags.ksm.rawValue == 1 << 21)
        #expect(PageFlags.dirty.rawValue == 1 << 4)
    }

    @Test func describes() {
        #expect(PageFlags([.uptodate, .lru, .mmap, .anon]).description == "UPTODATE|LRU|MMAP|ANON")
        #expect(PageFlags(rawValue: 1 << 34 | 1).description == "LOCKED|MAPPEDTODISK")
        #expect(PageFlags(rawValue: 1 << 45 | 1 << 27).description == "bit27|bit45")
        #expect(PageFlags().description == "none")
    }
}
