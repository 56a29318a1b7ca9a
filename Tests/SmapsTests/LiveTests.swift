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
    /// below the rollup's. The three files are read back to back into buffers
    /// touched beforehand (parsing allocates, and new pages would change Rss
    /// between the reads); a try counts only when Rss did not move.
    @Test func summedSmapsPssIsBelowRollupPss() throws {
        var buffers = (0..<3).map { _ in [UInt8](repeating: 1, count: 4 << 20) }
        func read(_ path: String, into buffer: inout [UInt8]) -> Int {
            let fd = open(path, O_RDONLY)
            defer { close(fd) }
            var n = 0
            buffer.withUnsafeMutableBytes { b in
                while n < b.count {
                    let r = Glibc.read(fd, b.baseAddress! + n, b.count - n)
                    if r <= 0 { break }
                    n += r
                }
            }
            return n
        }
        var shown = false
        for _ in 0..<50 where !shown {
            let a = read("/proc/self/smaps_rollup", into: &buffers[0])
            let b = read("/proc/self/smaps", into: &buffers[1])
            let c = read("/proc/self/smaps_rollup", into: &buffers[2])
            let rollup = try SmapsSnapshot(parsing: Array(buffers[0][..<a]), source: "rollup")
            let smaps = try SmapsSnapshot(parsing: Array(buffers[1][..<b]), source: "smaps")
            let rollupAgain = try SmapsSnapshot(parsing: Array(buffers[2][..<c]), source: "rollup")
            #expect(rollup.isRollup && rollup.rollup?.pathname == "[rollup]")
            guard rollup.total("Rss") == rollupAgain.total("Rss"), rollup.total("Rss") == smaps.total("Rss"),
                rollup.total("Pss") == rollupAgain.total("Pss")
            else {
                usleep(2000)  // memory moved while reading (other tests run in parallel)
                continue
            }
            let summed = smaps.total("Pss")
            let exact = rollup.total("Pss")
            #expect(summed <= exact)
            #expect(exact - summed < UInt64(smaps.mappings.count))  // at most 1 kB lost per mapping
            shown = summed < exact
        }
        #expect(shown, "summed smaps Pss never came out below smaps_rollup Pss with Rss steady")
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
