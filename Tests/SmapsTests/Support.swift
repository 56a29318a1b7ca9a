import Foundation
import Testing
@testable import Smaps

/// Fixture files copied into the test bundle.
enum Fixtures {
    static let directory: URL = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static func bytes(_ name: String) throws -> [UInt8] { try readWholeFile(path(name)) }

    /// Every smaps fixture (SOURCES.md excluded).
    static let all: [String] = [
        "android-app-memory-analysis-smaps",
        "android-libmeminfo-smaps",
        "android-libmeminfo-smaps_short",
        "gometrics-smaps",
        "linux-smaps-perl-double-vdso",
        "linux-smaps-perl-single-vdso",
        "linux-smaps-perl-smaps",
        "linux-smaps-perl-smaps-VmFlags",
        "linux-smaps-perl-smaps64",
        "prometheus-procfs-26231-smaps",
    ]

    static let prometheus = "prometheus-procfs-26231-smaps"

    /// The fixtures that parse as they are on disk: all but the prometheus one.
    static let wellFormed: [String] = all.filter { $0 != prometheus }

    /// A fixture read from disk with `SmapsSnapshot.read(path:)`.
    static func snapshot(_ name: String) throws -> SmapsSnapshot { try SmapsSnapshot.read(path: path(name)) }

    /// The prometheus fixture was cut out of a ttar archive and still ends with
    /// the archive's framing: a `Mode: 644` line and a `# ttar - - -` line.
    /// Cowlab rejects it with a located error (see ErrorTests); its smaps
    /// content is everything before those two lines.
    static let prometheusArchiveLines = 2

    /// The smaps content of a fixture: the prometheus one without its archive lines.
    static func smapsBytes(_ name: String) throws -> [UInt8] {
        var bytes = try self.bytes(name)
        if name == prometheus {
            for _ in 0..<prometheusArchiveLines {
                bytes.removeLast()  // the "\n" ending the line
                while let last = bytes.last, last != UInt8(ascii: "\n") { bytes.removeLast() }
            }
        }
        return bytes
    }
}

/// Parses smaps text written in a test.
func parse(_ text: String, source: String = "test") throws -> SmapsSnapshot {
    try SmapsSnapshot(parsing: Array(text.utf8), source: source)
}

/// The SmapsError thrown by `body`, or nil if it returned.
func thrownError(_ body: () throws -> Void) -> SmapsError? {
    do {
        try body()
        return nil
    } catch let e as SmapsError {
        return e
    } catch {
        Issue.record("unexpected error type: \(error)")
        return nil
    }
}

/// A deliberately plain second parser, used to check the real one: split on
/// newlines, a line whose first word is `HEX-HEX` starts a mapping, a line
/// `Key: N kB` is a field. Slow and simple on purpose.
struct ReferenceParse {
    struct Entry {
        var start: UInt64
        var end: UInt64
        var pathname: String
        var fields: [(String, UInt64)] = []
        var vmFlags: [String] = []
    }

    var entries: [Entry] = []

    init(_ text: String) {
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let first = words.first else { continue }
            let range = first.split(separator: "-")
            if range.count == 2, let s = UInt64(range[0], radix: 16), let e = UInt64(range[1], radix: 16) {
                var path = words.count > 5 ? words[5...].joined(separator: " ") : ""
                if path.hasSuffix(" (deleted)") { path.removeLast(" (deleted)".count) }
                entries.append(Entry(start: s, end: e, pathname: path))
            } else if first.hasSuffix(":") {
                let key = String(first.dropLast())
                if words.count == 3, words[2] == "kB", let v = UInt64(words[1]) {
                    entries[entries.count - 1].fields.append((key, v))
                } else if key == "VmFlags" {
                    entries[entries.count - 1].vmFlags = words.dropFirst().map(String.init)
                }
            }
        }
    }

    func total(_ key: String) -> UInt64 {
        entries.reduce(0) { sum, e in sum + (e.fields.first { $0.0 == key }?.1 ?? 0) }
    }

    var keys: Set<String> { Set(entries.flatMap { $0.fields.map(\.0) }) }
}

/// `name`'s bytes with the line in the middle made malformed ("?!?" over
/// its first three bytes), saved in `directory`: a failure after many
/// mappings, whichever way the file is read.
func brokenInTheMiddle(_ name: String, in directory: TemporaryDirectory) throws -> (path: String, bytes: [UInt8]) {
    var bytes = try Fixtures.bytes(name)
    let lineStart = (bytes[..<(bytes.count / 2)].lastIndex(of: UInt8(ascii: "\n")) ?? 0) + 1
    bytes.replaceSubrange(lineStart..<lineStart + 3, with: Array("?!?".utf8))
    let path = directory.path + "/broken"
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return (path, bytes)
}

/// A temporary directory removed when the value is deallocated.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "smaps-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ relative: String, _ text: String) throws {
        let url = URL(fileURLWithPath: path + "/" + relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func mkdir(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: path + "/" + relative, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
