import CowLab
import Foundation
@testable import Reports
import Testing

/// Every file a report consists of (markdown, pictures, JUnit, the suite index
/// and suite JUnit) compared byte for byte with the committed golden files.
/// Regenerate them with `COWLAB_UPDATE_GOLDEN=1 swift test --filter ReportsTests`
/// (see ReportFixtures), then review the diff.
@Suite("Golden reports")
struct GoldenTests {
    static let formats: [ReportFormat] = [.md, .junit]

    @Test("each record renders exactly its golden files", arguments: ["pass", "fail", "troubled"])
    func golden(caseName: String) throws {
        let record = try #require(try ReportFixtures.cases().first { $0.name == caseName }?.record)
        let files = try ReportFiles.render(record, formats: Self.formats)
        try compare(files, with: "golden/\(caseName)")
    }

    @Test("the suite index and suite JUnit match their golden files")
    func suite() throws {
        let files = ReportFiles.renderSuite(try ReportFixtures.cases().map(\.record), formats: Self.formats)
        #expect(files.map(\.name) == ["README.md", "junit.xml"])
        try compare(files, with: "golden/suite")
    }

    func compare(_ files: [ReportFile], with relative: String) throws {
        if ReportFixtures.updating {
            let dir = ReportFixtures.sourceDirectory.appendingPathComponent(relative)
            try? FileManager.default.removeItem(at: dir)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for f in files { try f.contents.write(to: dir.appendingPathComponent(f.name)) }
            return
        }
        let dir = ReportFixtures.directory.appendingPathComponent(relative)
        let golden = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(files.map(\.name).sorted() == golden, "the set of files changed; regenerate with COWLAB_UPDATE_GOLDEN=1")
        for f in files where golden.contains(f.name) {
            let expected = try Data(contentsOf: dir.appendingPathComponent(f.name))
            if f.contents != expected {
                let message = "\(relative)/\(f.name) differs from its golden file: \(firstDifference(f.contents, expected)); "
                    + "if the change is intended, regenerate with COWLAB_UPDATE_GOLDEN=1 swift test --filter ReportsTests"
                Issue.record(Comment(rawValue: message))
            }
        }
    }

    func firstDifference(_ a: Data, _ b: Data) -> String {
        let la = String(decoding: a, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let lb = String(decoding: b, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(la.count, lb.count) {
            let x = i < la.count ? String(la[i]) : "<end>", y = i < lb.count ? String(lb[i]) : "<end>"
            if x != y { return "line \(i + 1): rendered «\(x.prefix(200))», golden «\(y.prefix(200))»" }
        }
        return "same lines, different bytes"
    }
}
