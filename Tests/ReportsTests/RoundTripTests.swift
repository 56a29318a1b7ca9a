import CowLab
import Foundation
@testable import Reports
import Testing

/// `cowlab report RUN.json` must re-render what `cowlab run` wrote, byte for
/// byte: render → encode → decode → render is the identity.
@Suite("Render, encode, decode, render")
struct RoundTripTests {
    @Test("re-rendering a decoded record gives the same files", arguments: ["pass", "fail", "troubled"])
    func roundTrip(caseName: String) throws {
        let record = try #require(try ReportFixtures.cases().first { $0.name == caseName }?.record)
        let first = try ReportFiles.render(record, formats: ReportFormat.allCases)
        let decoded = try JSONReport.decode(try JSONReport.encode(record))
        #expect(decoded == record)
        let second = try ReportFiles.render(decoded, formats: ReportFormat.allCases)
        #expect(first.map(\.name) == second.map(\.name))
        for (a, b) in zip(first, second) { #expect(a.contents == b.contents, "\(a.name) changed after a JSON round trip") }
    }

    @Test("a committed record re-encodes to its own bytes")
    func jsonStable() throws {
        for name in ["fork-write.pass", "fork-write-1MiB.fail"] {
            let data = try ReportFixtures.recordData(name)
            #expect(try JSONReport.encode(try JSONReport.decode(data)) == data, "\(name).json")
        }
    }

    static let awkward: [Double] = [
        0.1, 0.2 + 0.1, 1.0 / 3.0, 2.0 / 3.0, 1e-7, 5e-324, 123456.789, 0.078, 1e15 + 0.5, 9007199254740993,
        Double.ulpOfOne, 1 - Double.ulpOfOne, 33.66 * 1024, -34816.5, 1.7976931348623157e308,
    ]

    @Test("doubles survive the JSON round trip exactly, and so do the renderings", arguments: awkward)
    func doubles(value: Double) throws {
        var r = try ReportFixtures.pass()
        r.durationSeconds = abs(value)
        r.expectations[3].observed = value
        r.expectations[3].expected = value / 3
        r.parameters[0].bytes = abs(value)
        r.document[0].measuredBytes = value
        let decoded = try JSONReport.decode(try JSONReport.encode(r))
        #expect(decoded.durationSeconds.bitPattern == r.durationSeconds.bitPattern)
        #expect(decoded.expectations[3].observed?.bitPattern == value.bitPattern)
        #expect(decoded.expectations[3].expected?.bitPattern == (value / 3).bitPattern)
        #expect(decoded.document[0].measuredBytes?.bitPattern == value.bitPattern)
        #expect(try ReportFiles.render(decoded, formats: ReportFormat.allCases) == ReportFiles.render(r, formats: ReportFormat.allCases))
    }

    @Test("dictionary order does not leak into any file")
    func dictionaryOrder() throws {
        var a = try ReportFixtures.pass()
        var b = a
        // The same contents built in opposite insertion orders, with different capacities.
        let reply = ["pid": "123", "addr": "0x10", "len": "65536", "zeta": "z", "alpha": "a"]
        var forward: [String: String] = [:]
        for k in reply.keys.sorted() { forward[k] = reply[k] }
        var backward: [String: String] = Dictionary(minimumCapacity: 64)
        for k in reply.keys.sorted().reversed() { backward[k] = reply[k] }
        a.steps[0].reply = forward
        b.steps[0].reply = backward
        var kBForward: [String: UInt64] = [:]
        var kBBackward: [String: UInt64] = Dictionary(minimumCapacity: 128)
        let fields = a.snapshots[2].processes[0].regions[0].kB
        for k in fields.keys.sorted() { kBForward[k] = fields[k] }
        for k in fields.keys.sorted().reversed() { kBBackward[k] = fields[k] }
        a.snapshots[2].processes[0].regions[0].kB = kBForward
        b.snapshots[2].processes[0].regions[0].kB = kBBackward
        #expect(try ReportFiles.render(a, formats: ReportFormat.allCases) == ReportFiles.render(b, formats: ReportFormat.allCases))
    }

    @Test("the same record renders the same bytes every time")
    func repeatable() throws {
        let r = try ReportFixtures.fail()
        let first = try ReportFiles.render(r, formats: ReportFormat.allCases)
        for _ in 0..<3 { #expect(try ReportFiles.render(r, formats: ReportFormat.allCases) == first) }
    }
}
