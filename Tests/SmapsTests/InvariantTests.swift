import Testing
@testable import Smaps

@Suite("Invariants") struct InvariantTests {
    @Test(arguments: Fixtures.all)
    func fixturesAreConsistent(name: String) throws {
        let s = try SmapsSnapshot(parsing: Fixtures.smapsBytes(name), source: name)
        #expect(s.invariantViolations() == [])
    }

    @Test func violationsAreReportedNotTrapped() {
        let m = Mapping(start: 0x1000, end: 0x3000, pathname: "/x", fields: [
            ("Size", 4), ("Rss", 8), ("Pss", 9), ("Shared_Clean", 1), ("Shared_Dirty", 0),
            ("Private_Clean", 0), ("Private_Dirty", 6), ("Anonymous", 10), ("AnonHugePages", 12),
            ("Swap", 0), ("SwapPss", 1),
        ])
        let v = m.invariantViolations()
        #expect(v.map(\.rule) == [
            "Size = (end - start) / 1024",
            "Shared_Clean + Shared_Dirty + Private_Clean + Private_Dirty = Rss",
            "Rss <= Size",
            "Pss <= Rss",
            "Anonymous <= Rss",
            "AnonHugePages <= Anonymous",
            "SwapPss <= Swap",
        ])
        #expect(v[1].detail == "Shared_Clean 1 + Shared_Dirty 0 + Private_Clean 0 + Private_Dirty 6 = 7 kB != Rss 8 kB")
        #expect(v[3].description == "1000 /x: Pss <= Rss fails: Pss 9 kB > Rss 8 kB")
    }

    @Test func overflowingSumsAreViolationsNotTraps() {
        let m = Mapping(start: 0, end: 0x1000, fields: [
            ("Rss", 4), ("Shared_Clean", UInt64.max), ("Shared_Dirty", 5), ("Private_Clean", 0), ("Private_Dirty", 0),
        ])
        #expect(m.invariantViolations().map(\.rule).contains("Shared_Clean + Shared_Dirty + Private_Clean + Private_Dirty = Rss"))
    }

    @Test func stackGuardPageIsAllowed() {
        let stack = Mapping(start: 0x1000, end: 0x3000, pathname: "[stack]", fields: [("Size", 12), ("KernelPageSize", 4)])
        #expect(stack.invariantViolations().isEmpty)
        let other = Mapping(start: 0x1000, end: 0x3000, pathname: "[heap]", fields: [("Size", 12)])
        #expect(other.invariantViolations().count == 1)
    }

    @Test func liveProcessIsConsistent() throws {
        let s = try SmapsSnapshot.read(pid: getpid())
        #expect(s.invariantViolations() == [])
        #expect(try SmapsSnapshot.readRollup(pid: getpid()).invariantViolations() == [])
    }
}

#if canImport(Glibc)
import Glibc
#endif
