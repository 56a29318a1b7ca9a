import Foundation
import Testing
@testable import Smaps

#if canImport(Glibc)
import Glibc
#endif

@Suite("Live /proc/self", .serialized) struct LiveTests {
    @Test func smapsRoundTrip() throws {
        let pid = getpid()
        let live = try SmapsSnapshot.read(pid: pid)
        #expect(live.source == "/proc/\(pid)/smaps")
        #expect(live.mappings.count > 10)
        #expect(live.isOrdered)
        #expect(live.mappings.contains { $0.pathname == "[stack]" })
        #expect(live.mappings.allSatisfy { !$0.vmFlags.isEmpty && $0.kilobytes("Rss") != nil })
        // The address of a local heap object is inside some mapping.
        let object = NSObject()
        let address = UInt64(UInt(bitPattern: Unmanaged.passUnretained(object).toOpaque()))
        #expect(live.mapping(containing: address)?.writable == true)
        withExtendedLifetime(object) {}

        // Saved and re-read: the same mappings.
        let dir = try TemporaryDirectory()
        let saved = dir.path + "/smaps"
        let bytes = try readWholeFile("/proc/self/smaps")
        try Data(bytes).write(to: URL(fileURLWithPath: saved))
        let reread = try SmapsSnapshot.read(path: saved)
        #expect(reread.mappings == (try SmapsSnapshot(parsing: bytes, source: "x")).mappings)
    }

    /// Which Pss a total is: the kernel truncates each mapping's Pss to whole
    /// kB, smaps_rollup sums the exact values first, so the summed smaps Pss is
    /// below the rollup's. Memory moves between the two reads, so this
    /// retries and allows a small slack for Rss.
    @Test func summedSmapsPssIsBelowRollupPss() throws {
        var shown = false
        for _ in 0..<10 where !shown {
            let rollup = try SmapsSnapshot.readRollup(pid: getpid())
            let smaps = try SmapsSnapshot.read(pid: getpid())
            let rollupAgain = try SmapsSnapshot.readRollup(pid: getpid())
            #expect(rollup.isRollup && rollup.rollup?.pathname == "[rollup]")
            guard rollup.total("Rss") == rollupAgain.total("Rss"),
                rollup.total("Rss") == smaps.total("Rss")
            else { continue }  // memory moved while reading
            let summed = smaps.total("Pss")
            let exact = rollup.total("Pss")
            #expect(summed <= exact)
            // At most 1 kB lost per mapping.
            #expect(exact - summed < UInt64(smaps.mappings.count))
            shown = summed < exact
        }
        #expect(shown, "summed smaps Pss never came out below smaps_rollup Pss")
    }

    @Test func rollupRoundTrip() throws {
        let rollup = try SmapsSnapshot.readRollup(pid: getpid())
        #expect(rollup.mappings.count == 1)
        let m = try #require(rollup.rollup)
        #expect(m.permissions == "---p")
        #expect(m.kilobytes("Rss")! > 0)
        #expect(m.kilobytes("Pss_Anon") != nil)
        let again = try SmapsSnapshot.read(path: "/proc/self/smaps_rollup")
        #expect(again.isRollup)
    }
}
