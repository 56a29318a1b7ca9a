import Testing
@testable import Smaps

@Suite("Diff") struct DiffTests {
    static let before = """
        1000-2000 rw-p 00000000 00:00 0    [heap]
        Size:   4 kB
        Rss:    4 kB
        Shared_Dirty:  4 kB
        Private_Dirty:  0 kB
        3000-5000 r--p 00000000 08:01 7    /lib/a.so
        Size:   8 kB
        Rss:    8 kB
        Shared_Dirty:  0 kB
        Private_Dirty:  0 kB
        9000-a000 rw-p 00000000 00:00 0
        Size:   4 kB
        Rss:    0 kB
        Shared_Dirty:  0 kB
        Private_Dirty:  0 kB

        """
    static let after = """
        1000-2000 rw-p 00000000 00:00 0    [heap]
        Size:   4 kB
        Rss:    4 kB
        Shared_Dirty:  0 kB
        Private_Dirty:  4 kB
        3000-6000 r--p 00000000 08:01 7    /lib/a.so
        Size:  12 kB
        Rss:    8 kB
        Shared_Dirty:  0 kB
        Private_Dirty:  0 kB
        b000-c000 rw-p 00000000 00:00 0
        Size:   4 kB
        Rss:    4 kB
        Shared_Dirty:  0 kB
        Private_Dirty:  4 kB

        """

    @Test func newChangedGone() throws {
        let a = try parse(Self.before, source: "a")
        let b = try parse(Self.after, source: "b")
        let d = SmapsDiff(from: a, to: b)
        #expect(d.added.map(\.start) == [0xb000])
        #expect(d.removed.map(\.start) == [0x9000])
        #expect(d.unchangedCount == 0)
        #expect(d.changed.count == 2)
        let heap = d.changed[0]
        #expect(heap.after.pathname == "[heap]")
        #expect(heap.fields == [
            FieldChange(field: "Shared_Dirty", before: 4, after: 0),
            FieldChange(field: "Private_Dirty", before: 0, after: 4),
        ])
        #expect(heap.change("Shared_Dirty")?.delta == -4)
        #expect(heap.change("Private_Dirty")?.description == "Private_Dirty +4 kB (0 -> 4)")
        #expect(heap.header.isEmpty)
        let lib = d.changed[1]
        #expect(lib.fields == [FieldChange(field: "Size", before: 8, after: 12)])
        #expect(lib.header == [HeaderChange(attribute: "end", before: "5000", after: "6000")])
        #expect(!d.isEmpty)
    }

    @Test func identicalSnapshotsHaveNoDifferences() throws {
        let s = try Fixtures.snapshot("gometrics-smaps")
        let d = SmapsDiff(from: s, to: s)
        #expect(d.isEmpty)
        #expect(d.unchangedCount == s.mappings.count)
    }

    /// The duplicated [vdso] of an old kernel: matched occurrence by occurrence.
    @Test func duplicatedStartAddresses() throws {
        let single = try Fixtures.snapshot("linux-smaps-perl-single-vdso")
        let double = try Fixtures.snapshot("linux-smaps-perl-double-vdso")
        let d = SmapsDiff(from: single, to: double)
        #expect(d.added.count == 1 && d.added[0].pathname == "[vdso]")
        #expect(d.changed.isEmpty && d.removed.isEmpty)
        let back = SmapsDiff(from: double, to: single)
        #expect(back.removed.count == 1 && back.removed[0].pathname == "[vdso]")
    }

    @Test func fieldsPresentOnOneSideOnly() {
        let a = Mapping(start: 0x1000, end: 0x2000, fields: [("Rss", 4), ("Old", 1)])
        let b = Mapping(start: 0x1000, end: 0x2000, fields: [("Rss", 4), ("New", 2)])
        let change = SmapsDiff.compare(a, b)
        #expect(change?.fields == [
            FieldChange(field: "New", before: nil, after: 2),
            FieldChange(field: "Old", before: 1, after: nil),
        ])
        #expect(FieldChange(field: "X", before: UInt64.max, after: 0).delta == Int64.min)
        #expect(FieldChange(field: "X", before: 0, after: UInt64.max).delta == Int64.max)
    }

    @Test func headerChanges() {
        let a = Mapping(start: 0x1000, end: 0x2000, readable: true, writable: true, pathname: "/f",
                        fields: [("Rss", 4)], vmFlags: ["rd", "wr"])
        let b = Mapping(start: 0x1000, end: 0x2000, readable: true, pathname: "/f", isDeleted: true,
                        fields: [("Rss", 4)], vmFlags: ["rd"])
        #expect(SmapsDiff.compare(a, b)?.header.map(\.description) == [
            "perms rw-p -> r--p", "pathname /f -> /f (deleted)", "VmFlags rd wr -> rd",
        ])
        #expect(SmapsDiff.compare(a, a) == nil)
    }
}
