import Testing
@testable import PageMap

/// A region built from raw entries and a frame table, no I/O.
func region(_ raw: [UInt64], pid: Int32 = 1, table: FrameTable? = nil) -> RegionPages {
    RegionPages(pid: pid, start: 0x1000_0000, pageSize: 4096, entries: raw.map(PageMapEntry.init(rawValue:)),
                frames: table)
}

@Suite("FrameJoin")
struct FrameJoinTests {
    @Test func afterForkEveryFilledPageIsShared() {
        let pfns: [UInt64] = Array(1000..<1016)
        let table = FrameTable(pfns: pfns, mapcounts: pfns.map { _ in 2 }, flags: pfns.map { _ in .anon })
        let parent = region(pfns.map { Raw.page($0) }, table: table)
        let child = region(pfns.map { Raw.page($0) }, pid: 2, table: table)
        let join = FrameJoin.compare(parent: parent, child: child)
        #expect(join.mode == .frames)
        #expect(join.counts.shared == 16)
        #expect(join.counts.copied == 0)
        #expect(join.counts.sharedZeroPage == 0)
    }

    @Test func afterTheChildWritesEveryPageIsCopied() {
        let parent = region((1000..<1016).map { Raw.page($0, exclusive: true) })
        let child = region((2000..<2016).map { Raw.page($0, exclusive: true) }, pid: 2)
        let join = FrameJoin.compare(parent: parent, child: child)
        #expect(join.counts.shared == 0)
        #expect(join.counts.copied == 16)
        #expect(join.bytes(.copied) == 16 * 4096)
        // No flags read: the zero-page subset is unknown, not zero.
        #expect(join.counts.sharedZeroPage == nil)
    }

    @Test func presentOnOneSideAndUnequalLengths() {
        let parent = region([Raw.page(1), 0, Raw.page(3), 0])
        let child = region([Raw.page(1), Raw.page(9), 0])
        let join = FrameJoin.compare(parent: parent, child: child)
        #expect(join.relations == [.shared, .onlySecond, .onlyFirst, .absent])
        #expect(join.counts.absent == 1)
    }

    @Test func zeroPageSharesAreCounted() {
        let table = FrameTable(pfns: [7], mapcounts: [0], flags: [.zeroPage])
        let parent = region([Raw.page(7), Raw.page(7)], table: table)
        let child = region([Raw.page(7), 0], table: table)
        let join = FrameJoin.compare(parent: parent, child: child)
        #expect(join.counts.shared == 1)
        #expect(join.counts.sharedZeroPage == 1)
        #expect(parent.counts.zeroPage == 2)
        #expect(parent.counts.distinctFrames == 1)
    }

    /// Without root PFNs read 0; the exclusive bit still separates copied from shared.
    @Test func framesHiddenFallsBackOnExclusiveBits() {
        let p = Raw.present, x = Raw.present | Raw.exclusive
        let parent = region([p, x, p, x, p, 0])
        let child = region([p, p, x, x, 0, 0], pid: 2)
        #expect(parent.pfnVisibility == .hidden)
        let join = FrameJoin.compare(parent: parent, child: child)
        #expect(join.mode == .framesHidden)
        #expect(join.relations == [.shared, .copied, .copied, .copied, .onlyFirst, .absent])
    }

    /// One side hidden is enough to make the whole join inferential.
    @Test func mixedVisibilityIsHidden() {
        let join = FrameJoin.compare(parent: region([Raw.page(5)]), child: region([Raw.present]))
        #expect(join.mode == .framesHidden)
        #expect(join.counts.shared == 1)
    }
}

@Suite("FrameCrossCheck")
struct FrameCrossCheckTests {
    typealias Check = FrameCrossCheck

    /// After fork of a 4-page filled buffer: parent and child share all four frames.
    func forked() -> [Check.Observation] {
        let pfns: [UInt64] = [10, 11, 12, 13]
        let table = FrameTable(pfns: pfns, mapcounts: [2, 2, 2, 2], flags: pfns.map { _ in .anon })
        let parent = region(pfns.map { Raw.page($0) }, table: table)
        let child = region(pfns.map { Raw.page($0) }, pid: 2, table: table)
        let figures = Check.SmapsFigures(sharedBytes: 16384, privateBytes: 0, pssBytes: 8192)
        return [.init(name: "parent", pages: parent, smaps: figures), .init(name: "child", pages: child, smaps: figures)]
    }

    @Test func agreeingNumbers() {
        let findings = Check.check(forked())
        #expect(findings.count == 7)
        #expect(findings.allSatisfy { $0.status == .agrees }, "\(findings)")
        #expect(findings.last!.kind == .pssSumVsDistinctFrames)
        #expect(findings.last!.frameBytes == 16384)
        #expect(Check.disagreements(forked()).isEmpty)
    }

    @Test func disagreementsAreFindingsWithNumbers() {
        var obs = forked()
        obs[1].smaps = .init(sharedBytes: 8192, privateBytes: 8192, pssBytes: 12288)
        let bad = Check.disagreements(obs)
        #expect(bad.map(\.kind) == [.shared, .private, .pss, .pssSumVsDistinctFrames])
        #expect(bad.allSatisfy { $0.subject == "child" || $0.subject == "all" })
        #expect(bad[0].differenceBytes == -8192)
        #expect(bad[0].message == "smaps 8 kB, frames 16 kB (4 pages with map count ≥ 2); differs by -8 kB")
    }

    @Test func pssTruncationToWholeKBIsTolerated() {
        // Three mappings of one frame: 4096 / 3 = 1365.3 B, smaps shows 1 kB.
        let table = FrameTable(pfns: [50], mapcounts: [3], flags: nil)
        let obs = (1...3).map { i in
            Check.Observation(name: "p\(i)", pages: region([Raw.page(50)], pid: Int32(i), table: table),
                              smaps: .init(sharedBytes: 4096, privateBytes: 0, pssBytes: 1024))
        }
        let findings = Check.check(obs)
        #expect(findings.allSatisfy { $0.status == .agrees }, "\(findings)")
    }

    @Test func framesMappedElsewhereAreExplained() {
        let table = FrameTable(pfns: [50], mapcounts: [3], flags: nil)
        let only = Check.Observation(name: "parent", pages: region([Raw.page(50)], table: table),
                                     smaps: .init(sharedBytes: 4096, privateBytes: 0, pssBytes: 1365))
        let sum = Check.check([only]).last!
        #expect(sum.status == .disagrees)
        #expect(sum.message.contains("1 frames are also mapped outside the observed regions"))
    }

    @Test func withoutRootSharedAndPrivateComeFromExclusiveBits() {
        let p = Raw.present, x = Raw.present | Raw.exclusive
        let obs = [Check.Observation(name: "child", pages: region([p, p, x]),
                                     smaps: .init(sharedBytes: 8192, privateBytes: 4096, pssBytes: 8192))]
        let findings = Check.check(obs)
        #expect(findings.map(\.status) == [.agrees, .agrees, .skipped, .skipped])
        #expect(findings[0].basis == .exclusiveBits)
        #expect(findings[0].message.contains("needs root (CAP_SYS_ADMIN)"))
        #expect(findings[3].message.contains("needs root (CAP_SYS_ADMIN)"))
    }
}
