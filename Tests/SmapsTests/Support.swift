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

    /// The prometheus fixture ends with ttar archive framing (`Mode: 644` and a
    /// `# ttar - - -` line): these are its last two lines.
    static let prometheusArchiveLines = 2
}

/// Parses smaps text written in a test.
func parse(_ text: String, source: String = "test") throws -> SmapsSnapshot {
    try SmapsSnapshot(parsing: Array(text.utf8), source: source)
}

/// The error thrown by `body`, or nil.
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
