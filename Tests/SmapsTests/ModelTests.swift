import Foundation
import Testing
@testable import Smaps

@Suite("Model") struct ModelTests {
    static let text = """
        00400000-00401000 r-xp 00000000 08:01 10    /bin/prog
        Size:                  4 kB
        Rss:                   4 kB
        Pss:                   2 kB
        Private_Dirty:         0 kB
        00401000-00403000 rw-p 00000000 00:00 0 
        Size:                  8 kB
        Rss:                   8 kB
        Pss:                   8 kB
        Private_Dirty:         8 kB
        00500000-00600000 rw-p 00000000 00:00 0          [heap]
        Size:               1024 kB
        Rss:                 100 kB
        Pss:                 100 kB
        Private_Dirty:       100 kB
        7f0000000000-7f0000001000 r--p 00001000 08:01 10    /bin/prog
        Size:                  4 kB
        Rss:                   4 kB
        Pss:                   1 kB
        Private_Dirty:         0 kB

        """

    @Test func sums() throws {
        let s = try parse(Self.text)
        #expect(s.total("Rss") == 116)
        #expect(s.totalNamed("Rss") == 108)
        #expect(s.totalUnnamed("Rss") == 8)
        #expect(s.total("Rss", pathname: "/bin/prog") == 8)
        #expect(s.total("Pss", pathname: "[heap]") == 100)
        #expect(s.total("Rss") { $0.writable } == 108)
        #expect(s.total("Unknown") == 0)
        #expect(s.fieldNames == ["Size", "Rss", "Pss", "Private_Dirty"])
        #expect(s.pathnames == ["/bin/prog", "", "[heap]"])
    }

    @Test func lookups() throws {
        let s = try parse(Self.text)
        #expect(s.mapping(containing: 0x400000)?.pathname == "/bin/prog")
        #expect(s.mapping(containing: 0x402fff)?.sizeBytes == 0x2000)
        #expect(s.mapping(containing: 0x403000) == nil)
        #expect(s.mapping(containing: 0x7f00_0000_0fff)?.offset == 0x1000)
        #expect(s.mapping(containing: UInt64.max) == nil)
        #expect(s.mappings(overlapping: 0x400fff..<0x500001).map(\.start) == [0x400000, 0x401000, 0x500000])
        #expect(s.mappings(overlapping: 0x403000..<0x500000).isEmpty)
        #expect(s.mappings(overlapping: 0x500000..<0x500000).isEmpty)
        let m = s.mappings[0]
        #expect(m.contains(0x400000) && !m.contains(0x401000))
    }

    /// Binary search agrees with a linear scan on a real file, at every
    /// boundary and in every gap.
    @Test func binarySearchAgreesWithLinearScan() throws {
        let s = try Fixtures.snapshot("android-libmeminfo-smaps")
        #expect(s.isOrdered)
        var probes: [UInt64] = [0, UInt64.max - 1]
        for m in s.mappings { probes += [m.start, m.end - 1, m.end, m.start &- 1] }
        for a in probes {
            #expect(s.mapping(containing: a)?.start == s.mappings.first { $0.contains(a) }?.start)
        }
        let r: Range<UInt64> = 0x7000_0000..<0x7100_0000
        #expect(s.mappings(overlapping: r) == s.mappings.filter { $0.start < r.upperBound && $0.end > r.lowerBound })
    }

    @Test func unorderedMappingsFallBackToScan() throws {
        var s = try parse(Self.text)
        s.mappings.reverse()
        #expect(!s.isOrdered)
        #expect(s.mapping(containing: 0x500010)?.pathname == "[heap]")
        #expect(s.mappings(overlapping: 0..<0x401001).count == 2)
        s.mappings.reverse()
        #expect(s.isOrdered)
    }

    @Test func rollup() throws {
        let text = """
            55d5c2a8e000-7ffd6f5fe000 ---p 00000000 00:00 0                          [rollup]
            Rss:                1748 kB
            Pss:                 317 kB
            Pss_Dirty:           108 kB
            Pss_Anon:            108 kB
            Pss_File:            209 kB
            Pss_Shmem:             0 kB
            Shared_Clean:       1600 kB
            Shared_Dirty:          0 kB
            Private_Clean:        40 kB
            Private_Dirty:       108 kB

            """
        let s = try parse(text)
        #expect(s.isRollup)
        #expect(s.rollup?.kilobytes("Pss_File") == 209)
        #expect(s.rollup?.isRollup == true)
        #expect(s.total("Pss") == 317)
        #expect(s.invariantViolations().isEmpty)
        #expect(try parse(Self.text).rollup == nil)
    }

    @Test func handBuiltMappings() {
        var m = Mapping(start: 0x1000, end: 0x3000, writable: true, pathname: "x",
                        fields: [("Size", 8), ("Rss", 4), ("Frob", 1)])
        #expect(m.fieldNames == ["Size", "Rss", "Frob"])
        #expect(m.kilobytes("Frob") == 1)
        #expect(m.permissions == "rw-p")
        let copy = m
        m.setKilobytes("Rss", 8)
        m.setKilobytes("Swap", 2)
        #expect(copy.kilobytes("Rss") == 4)  // value semantics
        #expect(m.kilobytes("Rss") == 8 && m.kilobytes("Swap") == 2)
        #expect(m.fieldNames == ["Size", "Rss", "Frob", "Swap"])
        #expect(m != copy)
        var back = m
        back.setKilobytes("Rss", 4)
        #expect(back.fields.map(\.kilobytes) == [8, 4, 1, 2])
    }

    @Test func equalityIgnoresStorageSharing() throws {
        let a = try parse(Self.text)
        let b = try parse(Self.text)
        #expect(a.mappings == b.mappings)
        let built = Mapping(start: 0x400000, end: 0x401000, readable: true, executable: true,
                            deviceMajor: 8, deviceMinor: 1, inode: 10, pathname: "/bin/prog",
                            fields: [("Size", 4), ("Rss", 4), ("Pss", 2), ("Private_Dirty", 0)])
        #expect(a.mappings[0] == built)
    }

    @Test func unknownLinesAreKept() throws {
        let s = try parse("""
            1000-2000 rw-p 0 00:00 0
            Size:  4 kB
            NewCounter:   17 kB
            ProtectionKey:   3
            Mode:  a  b 
            VmFlags: rd wr zz qq 

            """)
        let m = s.mappings[0]
        #expect(m.fieldNames == ["Size", "NewCounter"])
        #expect(m.kilobytes("NewCounter") == 17)
        #expect(m.protectionKey == 3)
        #expect(m.attributes == [SmapsAttribute(key: "Mode", value: "a  b")])
        #expect(m.vmFlags == ["rd", "wr", "zz", "qq"])
        #expect(s.total("NewCounter") == 17)
    }

    @Test func readWholeFileReadsProcFilesCompletely() throws {
        let bytes = try readWholeFile("/proc/self/smaps")
        #expect(bytes.count > 4096)
        #expect(bytes.last == UInt8(ascii: "\n"))
        let maps = try readWholeFile("/proc/self/maps")
        #expect(maps.count > 0)
        #expect(thrownError { _ = try readWholeFile("/nonexistent") } == .unreadable(path: "/nonexistent", errno: ENOENT))
    }
}
