import CowLab
import Foundation

/// Writes report files (see `ReportFiles`) into an output directory.
public struct ReportWriter {
    public let directory: String
    public let formats: [ReportFormat]

    public init(directory: String, formats: [ReportFormat] = ReportFormat.defaults) {
        self.directory = directory
        self.formats = formats
    }

    /// Creates the directory (and parents) if needed.
    public func prepare() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// Writes one run's files; returns their paths, the markdown (or first file) first.
    @discardableResult
    public func write(_ record: RunRecord) throws -> [String] {
        try write(ReportFiles.render(record, formats: formats))
    }

    /// Re-renders the markdown, pictures and JUnit of a saved record (never its JSON,
    /// unless asked: the record is the source).
    @discardableResult
    public func write(_ files: [ReportFile]) throws -> [String] {
        try files.map { f in
            let path = (directory as NSString).appendingPathComponent(f.name)
            try f.contents.write(to: URL(fileURLWithPath: path), options: .atomic)
            return path
        }
    }

    /// Writes the suite files for a set of runs: README.md with md, junit.xml with junit.
    @discardableResult
    public func writeSuite(_ records: [RunRecord]) throws -> [String] {
        try write(ReportFiles.renderSuite(records, formats: formats))
    }
}
