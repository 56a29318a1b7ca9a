import PageMap
import Testing
@testable import Reports

@Suite("PageStrip SVG")
struct PageStripTests {
    typealias Cell = PageStrip.Cell

    func rows(_ n: Int) -> [PageStrip.Row] {
        [.init(label: "parent", cells: (0..<n).map { $0 % 4 == 0 ? .copied : .shared }),
         .init(label: "child", cells: (0..<n).map { $0 % 4 == 0 ? .copied : .shared })]
    }

    func count(_ needle: String, in s: String) -> Int {
        s.ranges(of: needle).count
    }

    func attribute(_ name: String, of svg: String) -> Int? {
        guard let r = svg.firstRange(of: " \(name)=\"") else { return nil }
        return Int(svg[r.upperBound...].prefix { $0 != "\"" })
    }

    @Test func isDeterministicAndSized() {
        let a = PageStrip.svg(rows: rows(16), title: "fork-write: written")
        let b = PageStrip.svg(rows: rows(16), title: "fork-write: written")
        #expect(a == b)
        #expect(a.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(a.hasSuffix("</svg>\n"))
        #expect((attribute("width", of: a) ?? 0) > 100)
        #expect((attribute("height", of: a) ?? 0) > 40)
        #expect(a.contains("<title>fork-write: written</title>"))
    }

    @Test func oneCellPerPageWhenSmall() {
        let svg = PageStrip.svg(rows: rows(16))
        // 2 rows × 16 cells, + background + 4 legend swatches.
        #expect(count("<rect", in: svg) == 32 + 1 + 4)
        #expect(count(##"fill="#dd8452"/>"##, in: svg) == 8)
        #expect(svg.contains("1 cell = 1 page (4 KiB)"))
        #expect(svg.contains("shared 12 · copied 4 · private 0 · not present 0"))
    }

    @Test func legendAndLabels() {
        let svg = PageStrip.svg(rows: rows(4))
        for name in ["shared", "copied", "private", "not present", ">parent<", ">child<"] {
            #expect(svg.contains(name), "\(name)")
        }
    }

    @Test func largeRegionsAreGroupedUnderTheCap() throws {
        // 1 GiB of 4 KiB pages: 1024 pages per cell, 256 cells per row.
        let n = 262_144
        let cells = (0..<n).map { $0 == 5 ? Cell.copied : .shared }
        let svg = PageStrip.svg(rows: [.init(label: "child", cells: cells)], maxCells: 256)
        #expect(svg.contains("1 cell = 1024 pages (4 MiB)"))
        // Each uniform cell is one rect; the cell holding the one copied page is
        // split, and that page stays visible (at least 1 px).
        #expect(count("<rect", in: svg) == 256 + 1 + 1 + 4)
        #expect(svg.contains(##"height="1" fill="#dd8452""##))
        let xs = Set(svg.split(separator: "<rect x=\"").dropFirst().map { $0.prefix { $0 != "\"" } })
        #expect(xs.count <= 256 + 1 + 4)
    }

    @Test func proportionalSplitIsExact() {
        #expect(PageStrip.apportion([3, 1, 0, 0], into: 20, total: 4) == [15, 5, 0, 0])
        #expect(PageStrip.apportion([1023, 1, 0, 0], into: 20, total: 1024) == [19, 1, 0, 0])
        #expect(PageStrip.apportion([1, 1, 1, 0], into: 20, total: 3) == [7, 7, 6, 0])
        #expect(PageStrip.apportion([0, 0, 0, 0], into: 20, total: 0) == [0, 0, 0, 0])
    }

    @Test func textIsEscaped() {
        let svg = PageStrip.svg(rows: [.init(label: "a<b & \"c\"", cells: [.private])], title: "x > y")
        #expect(svg.contains("a&lt;b &amp; &quot;c&quot;"))
        #expect(svg.contains("<title>x &gt; y</title>"))
        #expect(!svg.contains("a<b"))
    }

    @Test func shortRowsArePaddedAndEmptyIsValid() {
        let svg = PageStrip.svg(rows: [.init(label: "p", cells: [.shared, .shared]), .init(label: "c", cells: [.shared])])
        #expect(svg.contains("shared 1 · copied 0 · private 0 · not present 0"))
        #expect(count(##"fill="#e6e6e6"/>"##, in: svg) == 1)
        let empty = PageStrip.svg(rows: [])
        #expect(empty.hasSuffix("</svg>\n"))
        #expect(empty.contains("0 pages"))
    }

    @Test func rowsFromAFrameJoin() {
        let entries: [[UInt64]] = [
            [1 << 63 | 10, 1 << 63 | 11, 1 << 63 | 12, 0, 0],
            [1 << 63 | 10, 1 << 63 | 99, 0, 1 << 63 | 13, 0],
        ]
        let regions = entries.map {
            RegionPages(pid: 1, start: 0x10000, pageSize: 4096, entries: $0.map(PageMapEntry.init(rawValue:)), frames: nil)
        }
        let join = FrameJoin.compare(parent: regions[0], child: regions[1])
        let rows = PageStrip.rows(join)
        #expect(rows[0].cells == [.shared, .copied, .private, .notPresent, .notPresent])
        #expect(rows[1].cells == [.shared, .copied, .notPresent, .private, .notPresent])
        #expect(rows.map(\.label) == ["parent", "child"])
        #expect(!PageStrip.svg(join).contains("hidden"))
    }

    @Test func hiddenFramesAreNoted() {
        let present: UInt64 = 1 << 63
        let r = RegionPages(pid: 1, start: 0x10000, pageSize: 4096,
                            entries: [PageMapEntry(rawValue: present)], frames: nil)
        let svg = PageStrip.svg(FrameJoin.compare(parent: r, child: r), title: "t")
        #expect(svg.contains("needs root (CAP_SYS_ADMIN)"))
    }
}
