import Testing
@testable import Smaps

@Suite struct ParserBasicsTests {
    static let sample = """
        00400000-0040b000 r-xp 00000000 08:06 1316345                            /bin/cat
        Size:                 44 kB
        Rss:                  28 kB
        Pss:                  28 kB
        Shared_Clean:          0 kB
        Shared_Dirty:          0 kB
        Private_Clean:        28 kB
        Private_Dirty:         0 kB
        Frobnicated:           7 kB
        THPeligible:    1
        ProtectionKey:         0
        VmFlags: rd ex mr mw me dw zz 
        7f0000000000-7f0000021000 rw-s 00001000 00:05 42                         /dev/shm/my file (deleted)
        Size:                132 kB
        Rss:                  20 kB
        Private_Dirty:        20 kB
        Mode:    odd value
        ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 
        Size:                  4 kB
        Rss:                   0 kB

        """

    @Test func headerFields() throws {
        let s = try parse(Self.sample)
        #expect(s.mappings.count == 3)
        let cat = s.mappings[0]
        #expect(cat.start == 0x400000 && cat.end == 0x40b000 && cat.sizeBytes == 0xb000)
        #expect(cat.readable && !cat.writable && cat.executable && !cat.isShared)
        #expect(cat.deviceMajor == 8 && cat.deviceMinor == 6 && cat.inode == 1316345)
        #expect(cat.pathname == "/bin/cat" && !cat.isDeleted)
        #expect(cat.kilobytes("Rss") == 28)
        #expect(cat.kilobytes("Frobnicated") == 7)
        #expect(cat.kilobytes("Swap") == nil)
        #expect(cat.fieldNames == ["Size", "Rss", "Pss", "Shared_Clean", "Shared_Dirty",
                                   "Private_Clean", "Private_Dirty", "Frobnicated"])
        #expect(cat.vmFlags == ["rd", "ex", "mr", "mw", "me", "dw", "zz"])
        #expect(cat.thpEligible == true && cat.protectionKey == 0)

        let shm = s.mappings[1]
        #expect(shm.isShared && shm.offset == 0x1000 && shm.deviceMinor == 5)
        #expect(shm.pathname == "/dev/shm/my file" && shm.isDeleted)
        #expect(shm.attributes == [SmapsAttribute(key: "Mode", value: "odd value")])
        #expect(shm.vmFlags.isEmpty)

        let vsys = s.mappings[2]
        #expect(vsys.start == 0xffffffffff600000 && vsys.pathname == "" && !vsys.readable)
    }

    @Test func lookupsAndTotals() throws {
        let s = try parse(Self.sample)
        #expect(s.total("Rss") == 48)
        #expect(s.total("Frobnicated") == 7)
        #expect(s.total("Nope") == 0)
        #expect(s.mapping(containing: 0x400fff)?.pathname == "/bin/cat")
        #expect(s.mapping(containing: 0x40b000) == nil)
        #expect(s.mappings(overlapping: 0x40a000..<0x7f0000000001).count == 2)
        #expect(s.mappings(overlapping: 0..<0x400000).isEmpty)
    }

    @Test(arguments: Fixtures.wellFormed)
    func fixtureParses(name: String) throws {
        let s = try Fixtures.snapshot(name)
        #expect(!s.mappings.isEmpty)
        #expect(s.total("Rss") > 0)
    }

    @Test func errors() {
        #expect(thrownError { _ = try parse("") } == .empty(source: "test"))
        #expect(thrownError { _ = try parse("Rss: 4 kB\n") }
            == .malformed(source: "test", line: 1, byteOffset: 0, message: "'Rss:' line before any mapping header"))
        if case .malformed(_, let line, _, _)? = thrownError({
            _ = try parse("00400000-0040b000 r-xp 00000000 08:06 1 /bin/cat\nRss: 99999999999999999999 kB\n")
        }) {
            #expect(line == 2)
        } else {
            Issue.record("overflow not reported")
        }
        #expect(thrownError { _ = try SmapsSnapshot.read(pid: Int32.max) } == .noSuchProcess(pid: Int32.max))
    }

    @Test func liveSelf() throws {
        let s = try SmapsSnapshot.read(pid: getpidForTests())
        #expect(s.mappings.count > 5)
        #expect(s.total("Rss") > 0)
    }
}

#if canImport(Glibc)
import Glibc
#endif
func getpidForTests() -> Int32 { getpid() }
