import CowLab
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import Reports
import Testing

/// Collects the elements and texts of an SVG, and fails on malformed XML.
final class SVGReader: NSObject, XMLParserDelegate {
    var root: [String: String] = [:]
    var elements: [(name: String, attributes: [String: String])] = []
    var texts: [String] = []
    private var current = ""
    private var inText = false

    static func read(_ svg: String) throws -> SVGReader {
        let reader = SVGReader()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = reader
        guard parser.parse() else { throw parser.parserError ?? CocoaError(.fileReadCorruptFile) }
        return reader
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if name == "svg" { root = attributes }
        elements.append((name, attributes))
        if name == "text" { inText = true; current = "" }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text" { texts.append(current); inText = false }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inText { current += string }
    }

    /// Every fill and stroke colour used.
    var colours: Set<String> {
        Set(elements.flatMap { [$0.attributes["fill"], $0.attributes["stroke"]].compactMap { $0 } })
    }
}

@Suite("SVG charts")
struct ChartTests {
    /// The Okabe–Ito colours the charts use, plus greys, black and white.
    static let allowed: Set<String> = [
        "#56B4E9", "#0072B2", "#E69F00", "#D55E00", "#a94400", "#ffffff", "#1a1a1a", "#595959", "#d9d9d9", "#f7f7f7", "none",
    ]

    func checkDocument(_ svg: SVGReader) {
        let w = Int(svg.root["width"] ?? ""), h = Int(svg.root["height"] ?? "")
        #expect(w != nil && h != nil && w! > 0 && h! > 0, "explicit width and height")
        #expect(svg.root["viewBox"] == "0 0 \(w ?? 0) \(h ?? 0)")
        #expect(svg.root["xmlns"] == "http://www.w3.org/2000/svg")
        #expect(svg.elements.contains { $0.name == "title" })
        #expect(svg.colours.isSubset(of: Self.allowed), "colours outside the palette: \(svg.colours.subtracting(Self.allowed))")
        // Nothing drawn outside the canvas.
        for e in svg.elements where e.name == "text" || e.name == "rect" {
            if let x = Double(e.attributes["x"] ?? ""), let y = Double(e.attributes["y"] ?? "") {
                #expect(x >= 0 && x <= Double(w ?? 0) && y >= 0 && y <= Double(h ?? 0), "\(e.name) at \(x),\(y)")
            }
        }
    }

    @Test("one bar chart per measured label, with legend, bars and kB numbers")
    func barCharts() throws {
        let r = try ReportFixtures.pass()
        let pictures = ReportFiles.pictures(r)
        let expected = ["fork-write-timeline.svg"] + r.snapshots.dropFirst().flatMap { s in
            ["fork-write-\(s.label).svg"] + ((s.joins ?? []).isEmpty ? [] : ["fork-write-\(s.label).frames.svg"])
        }
        #expect(pictures.map(\.name) == expected)
        #expect(pictures.contains { $0.name == "fork-write-forked.frames.svg" }, "the fixture joins parent and child frames after fork")
        let forked = try SVGReader.read(try #require(ResidentBarChart.render(r, label: "forked")))
        checkDocument(forked)
        for part in ["Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty"] { #expect(forked.texts.contains(part), "legend: \(part)") }
        #expect(forked.texts.contains("parent (pid \(r.snapshots[3].process("parent")!.pid))"))
        #expect(forked.texts.contains("child (pid \(r.snapshots[3].process("child")!.pid))"))
        #expect(forked.texts.filter { $0 == "Rss 68 kB · Pss 34 kB" }.count == 2)
        #expect(forked.texts.contains("68 kB"), "the Shared_Dirty segment is labelled")
        let sharedDirty = forked.elements.filter { $0.name == "rect" && $0.attributes["fill"] == "#0072B2" }
        #expect(sharedDirty.count == 2 + 1, "one segment per process, plus the legend swatch")
    }

    @Test("every bar chart of a run uses the same scale and geometry")
    func sameScale() throws {
        let r = try ReportFixtures.pass()
        func ticks(_ label: String) throws -> [String] {
            try SVGReader.read(try #require(ResidentBarChart.render(r, label: label))).texts.filter { $0.hasSuffix(" kB") && !$0.contains("·") }
        }
        let a = try ticks("allocated").filter { $0.hasPrefix("0 ") || $0.hasPrefix("16 ") || $0.hasPrefix("80 ") }
        let b = try ticks("written").filter { $0.hasPrefix("0 ") || $0.hasPrefix("16 ") || $0.hasPrefix("80 ") }
        #expect(a == ["0 kB", "16 kB", "80 kB"])
        #expect(a == b)
        #expect(ResidentBarChart.render(r, label: "start") == nil, "nothing is measured before the first malloc")
        #expect(ResidentBarChart.render(r, label: "no-such-label") == nil)
    }

    @Test("the timeline has a panel per process with Rss and Pss lines and kB labels")
    func timeline() throws {
        let r = try ReportFixtures.pass()
        let svg = try SVGReader.read(try #require(RssPssTimeline.render(r)))
        checkDocument(svg)
        #expect(svg.texts.contains("Rss") && svg.texts.contains("Pss"), "legend")
        #expect(svg.texts.contains { $0.hasPrefix("buf · parent") })
        #expect(svg.texts.contains { $0.hasPrefix("buf · child") })
        #expect(svg.texts.contains("34 kB"), "the halved Pss after fork is labelled")
        let lines = svg.elements.filter { $0.name == "polyline" }
        #expect(lines.contains { $0.attributes["stroke"] == "#0072B2" && $0.attributes["stroke-dasharray"] == nil })
        #expect(lines.contains { $0.attributes["stroke"] == "#D55E00" && $0.attributes["stroke-dasharray"] != nil })
        for l in r.snapshots.dropFirst().map(\.label) { #expect(svg.texts.contains(l), "x label \(l)") }
    }

    @Test("many steps rotate the x labels instead of overlapping them")
    func crowdedTimeline() throws {
        var r = try ReportFixtures.pass()
        let last = r.snapshots[r.snapshots.count - 1]
        for i in 0..<14 {
            var s = last
            s.label = "a-rather-long-label-\(i)"
            r.snapshots.append(s)
        }
        let svg = try SVGReader.read(try #require(RssPssTimeline.render(r)))
        checkDocument(svg)
        #expect(svg.elements.contains { $0.name == "text" && ($0.attributes["transform"] ?? "").hasPrefix("rotate(-35") })
    }

    @Test("mapping and whole-process scopes named by expectations get their own panels")
    func otherScopes() throws {
        let r = try ReportFixtures.troubled()
        let m = ReportMeasurements(r)
        #expect(m.scopes.map(\.name) == ["buf", "[heap]", "whole process"])
        let svg = try SVGReader.read(try #require(ResidentBarChart.render(r, label: "forked")))
        checkDocument(svg)
        #expect(svg.texts.contains("mapping [heap]"))
        #expect(svg.texts.contains("whole process (every mapping)"))
    }

    @Test("axes step in powers of two, in kB below 10 MiB and in MiB above", arguments: [
        (UInt64(0), UInt64(4), "4 kB"), (68, 80, "80 kB"), (132, 160, "160 kB"), (1036, 1280, "1280 kB"),
        (10_240, 10_240, "10 MiB"), (10_241, 12_288, "12 MiB"), (2_097_152, 2_097_152, "2048 MiB"),
    ])
    func axis(maxKB: UInt64, top: UInt64, topLabel: String) {
        let a = ReportSVG.axis(maxKB: maxKB)
        #expect(a.top == top)
        #expect(a.top / a.step <= 6)
        #expect(a.step & (a.step - 1) == 0)
        #expect(a.label(a.top) == topLabel)
    }

    @Test("coordinates print the same on every machine", arguments: [
        (0.0, "0"), (12.0, "12"), (12.34, "12.3"), (12.36, "12.4"), (-3.25, "-3.3"), (-0.04, "0"), (799.96, "800"),
    ])
    func numbers(value: Double, text: String) {
        #expect(ReportSVG.n(value) == text)
    }
}

@Suite("Frame sections")
struct FrameSectionTests {
    @Test("run-length pages expand into the two rows of a page strip")
    func runLength() {
        let c = ReportFrames.cells("S2C1F1O1A2")
        #expect(c.first == [.shared, .shared, .copied, .private, .notPresent, .notPresent, .notPresent])
        #expect(c.second == [.shared, .shared, .copied, .notPresent, .private, .notPresent, .notPresent])
        #expect(ReportFrames.cells("").first.isEmpty)
        #expect(ReportFrames.cells("C99999999999999999999S3", limit: 1000).first.count == 1003, "a corrupt count is bounded")
    }

    @Test("the report shows the frame joins and links their strip")
    func section() throws {
        let r = try ReportFixtures.pass()
        let md = MarkdownReport.render(r)
        #expect(md.contains("![Frame by frame after forked](fork-write-forked.frames.svg)"))
        #expect(md.contains("| `buf` | parent / child | frame numbers | 17 | 0 | 0 | 0 | 0 |"))
        #expect(md.contains("| `buf` | parent / child | frame numbers | 0 | 17 | 0 | 0 | 0 |"))
        let written = try #require(r.snapshots.first { $0.label == "written" })
        let strip = try SVGReader.read(try #require(ReportFrames.strip(r, written)))
        #expect(strip.texts.contains("buf parent") && strip.texts.contains("buf child"))
    }
}
