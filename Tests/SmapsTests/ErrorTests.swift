import Foundation
import Testing
@testable import Smaps

@Suite("Errors") struct ErrorTests {
    static let header = "00400000-0040b000 r-xp 00000000 08:06 1316345    /bin/cat\n"

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var input: [UInt8]
        var line: Int
        var byteOffset: Int
        var message: String  // a substring of the message
        var testDescription: String { name }
    }

    static func text(_ s: String) -> [UInt8] { Array(s.utf8) }

    static let malformed: [Case] = [
        Case(name: "kB line before any header", input: text("Rss:   4 kB\n"), line: 1, byteOffset: 0,
             message: "'Rss:' line before any mapping header"),
        Case(name: "binary garbage", input: [0x00, 0xFF, 0x13, 0x37, 0x0A], line: 1, byteOffset: 0,
             message: "expected a mapping header"),
        Case(name: "binary garbage without newline", input: [0x7F, 0x45, 0x4C, 0x46, 0x02], line: 1, byteOffset: 5,
             message: "truncated"),
        Case(name: "truncated mid-line", input: text(header + "Size:  44 kB\nRss:     2"), line: 3, byteOffset: 81,
             message: "truncated: the last line \"Rss:     2\" has no newline"),
        Case(name: "header without fields at end", input: text(header), line: 1, byteOffset: 57,
             message: "not followed by any field line"),
        Case(name: "header without fields before next header", input: text(header + header + "Size:  44 kB\n"),
             line: 1, byteOffset: 57, message: "not followed by any field line"),
        Case(name: "kB value overflows", input: text(header + "Rss: 18446744073709551616 kB\n"), line: 2, byteOffset: 63,
             message: "'Rss:' value 18446744073709551616 overflows 64 bits"),
        Case(name: "address overflows", input: text("10000000000000000-20000000000000000 r-xp 0 00:00 0\nRss: 1 kB\n"),
             line: 1, byteOffset: 0, message: "start address 10000000000000000 overflows 64 bits"),
        Case(name: "inode overflows", input: text("1000-2000 r-xp 0 00:00 99999999999999999999\nRss: 1 kB\n"),
             line: 1, byteOffset: 23, message: "inode 99999999999999999999 overflows 64 bits"),
        Case(name: "device too large", input: text("1000-2000 r-xp 0 123456789:00 0\nRss: 1 kB\n"),
             line: 1, byteOffset: 17, message: "device number 123456789:00 is too large"),
        Case(name: "bad permissions", input: text("1000-2000 rwzp 0 00:00 0\nRss: 1 kB\n"), line: 1, byteOffset: 12,
             message: "bad permissions"),
        Case(name: "shared/private letter", input: text("1000-2000 rwxq 0 00:00 0\nRss: 1 kB\n"), line: 1, byteOffset: 13,
             message: "must be 's' or 'p'"),
        Case(name: "end below start", input: text("2000-1000 rw-p 0 00:00 0\nRss: 1 kB\n"), line: 1, byteOffset: 0,
             message: "below start"),
        Case(name: "known kB key without kB", input: text(header + "Rss: 12\n"), line: 2, byteOffset: 65,
             message: "expected 'N kB' after 'Rss:'"),
        Case(name: "THPeligible not a number", input: text(header + "THPeligible: yes\n"), line: 2, byteOffset: 71,
             message: "expected a number after 'THPeligible:'"),
        Case(name: "empty line", input: text(header + "Rss: 1 kB\n\nSize: 4 kB\n"), line: 3, byteOffset: 68,
             message: "unexpected empty line"),
        Case(name: "missing space after range", input: text("1000-2000rw-p 0 00:00 0\nRss: 1 kB\n"), line: 1, byteOffset: 9,
             message: "expected a space after the address range"),
    ]

    @Test(arguments: malformed)
    func malformedInputIsLocated(c: Case) {
        let error = thrownError { _ = try SmapsSnapshot(parsing: c.input, source: "in") }
        guard case .malformed(let source, let line, let offset, let message)? = error else {
            Issue.record("expected .malformed, got \(String(describing: error))")
            return
        }
        #expect(source == "in")
        #expect(line == c.line)
        #expect(offset == c.byteOffset)
        #expect(message.contains(c.message), "\(message)")
        #expect(error!.description == "in:\(line): byte \(offset): \(message)")
        #expect(!error!.description.contains("\n"))
    }

    @Test func emptyInput() {
        #expect(thrownError { _ = try SmapsSnapshot(parsing: [UInt8](), source: "e") } == .empty(source: "e"))
        #expect(SmapsError.empty(source: "e").description == "e: empty input, no mappings")
    }

    /// Decision: the stray `# ttar - - -` archive line at the end of the
    /// prometheus fixture is rejected with a located error, not skipped. A
    /// parser that skipped `#` lines would also accept other non-smaps input
    /// silently. (`Mode: 644` before it is a well-formed unknown non-kB line.)
    @Test func prometheusArchiveLineIsRejected() throws {
        let path = Fixtures.path(Fixtures.prometheus)
        let error = thrownError { _ = try SmapsSnapshot.read(path: path) }
        let bytes = try Fixtures.bytes(Fixtures.prometheus)
        let lastLine = bytes.dropLast().lastIndex(of: UInt8(ascii: "\n"))! + 1
        guard case .malformed(_, let line, let offset, let message)? = error else {
            Issue.record("expected .malformed, got \(String(describing: error))")
            return
        }
        #expect(line == 254)
        #expect(offset == lastLine)
        #expect(message.hasPrefix("unexpected comment or archive line \"# ttar"))
        #expect(error!.description.hasPrefix("\(path):254: byte \(lastLine): "))
    }

    /// Every prefix of a small file either parses or fails with a SmapsError.
    @Test func everyPrefixFailsCleanly() throws {
        let bytes = try Fixtures.bytes("linux-smaps-perl-smaps-VmFlags")
        for n in 0...bytes.count {
            do {
                let s = try SmapsSnapshot(parsing: Array(bytes[..<n]), source: "prefix")
                #expect(bytes[n - 1] == UInt8(ascii: "\n"))
                #expect(!s.mappings.isEmpty)
            } catch is SmapsError {
            } catch {
                Issue.record("prefix \(n): \(error)")
            }
        }
    }

    /// Random byte mutations never crash the parser (a deterministic generator).
    @Test func mutationsNeverCrash() throws {
        let original = try Fixtures.bytes("android-libmeminfo-smaps_short")
        var rng = SplitMix64(seed: 0x5EED)
        let interesting: [UInt8] = [0x0A, 0x20, 0x3A, 0x2D, 0x00, 0xFF, 0x39, 0x30, 0x66, 0x6B, 0x42, 0x09]
        for _ in 0..<3000 {
            var bytes = original
            for _ in 0..<(1 + Int(rng.next() % 8)) {
                let i = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 4 {
                case 0: bytes[i] = UInt8(truncatingIfNeeded: rng.next())
                case 1: bytes[i] = interesting[Int(rng.next() % UInt64(interesting.count))]
                case 2: bytes.remove(at: i)
                default: bytes.insert(contentsOf: repeatElement(UInt8(ascii: "9"), count: Int(rng.next() % 30)), at: i)
                }
            }
            do {
                _ = try SmapsSnapshot(parsing: bytes, source: "fuzz")
            } catch is SmapsError {
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }

    @Test func manyDistinctUnknownKeysAreBounded() {
        var text = Self.header
        for i in 0..<5000 { text += "K\(i): 1 kB\n" }
        let error = thrownError { _ = try SmapsSnapshot(parsing: Array(text.utf8), source: "keys") }
        guard case .malformed(_, _, _, let message)? = error else {
            Issue.record("expected .malformed")
            return
        }
        #expect(message.contains("distinct keys"))
    }

    // MARK: Process errors

    @Test func noSuchProcess() {
        #expect(thrownError { _ = try SmapsSnapshot.read(pid: Int32.max) } == .noSuchProcess(pid: Int32.max))
        #expect(thrownError { _ = try SmapsSnapshot.readRollup(pid: Int32.max) } == .noSuchProcess(pid: Int32.max))
        #expect(SmapsError.noSuchProcess(pid: 7).description == "no process with pid 7")
    }

    /// A fake procfs: an empty smaps of a process whose stat says it is gone
    /// (or a zombie) is `processExited`; of a live one (a kernel thread) `empty`.
    @Test func exitedVersusEmpty() throws {
        let root = try TemporaryDirectory()
        try root.write("10/smaps", "")
        try root.write("10/stat", "10 (cat) Z 1 10 10 0 -1\n")
        try root.write("11/smaps", "")
        try root.write("11/stat", "11 (kthreadd) S 0 0 0 0 -1\n")
        try root.write("12/smaps", "")
        #expect(thrownError { _ = try SmapsSnapshot.read(pid: 10, procRoot: root.path) } == .processExited(pid: 10))
        #expect(thrownError { _ = try SmapsSnapshot.read(pid: 11, procRoot: root.path) } == .empty(source: root.path + "/11/smaps"))
        #expect(thrownError { _ = try SmapsSnapshot.read(pid: 12, procRoot: root.path) } == .processExited(pid: 12))
        #expect(thrownError { _ = try SmapsSnapshot.read(pid: 13, procRoot: root.path) } == .noSuchProcess(pid: 13))
    }

    @Test func readErrorsMapToCases() {
        #expect(SmapsError(FileReadFailure(errno: EACCES, atOpen: true), path: "/p", pid: 5) == .permissionDenied(pid: 5, path: "/p"))
        #expect(SmapsError(FileReadFailure(errno: EPERM, atOpen: false), path: "/p", pid: nil) == .permissionDenied(pid: nil, path: "/p"))
        #expect(SmapsError(FileReadFailure(errno: ESRCH, atOpen: false), path: "/p", pid: 5) == .processExited(pid: 5))
        #expect(SmapsError(FileReadFailure(errno: ENOENT, atOpen: true), path: "/p", pid: 5) == .noSuchProcess(pid: 5))
        #expect(SmapsError(FileReadFailure(errno: ENOENT, atOpen: true), path: "/p", pid: nil) == .unreadable(path: "/p", errno: ENOENT))
        #expect(SmapsError(FileReadFailure(errno: EIO, atOpen: false), path: "/p", pid: 5) == .unreadable(path: "/p", errno: EIO))
    }

    @Test func unreadablePaths() throws {
        let root = try TemporaryDirectory()
        try root.mkdir("20/smaps")  // a directory: read(2) fails with EISDIR
        #expect(thrownError { _ = try SmapsSnapshot.read(path: root.path + "/missing") } == .unreadable(path: root.path + "/missing", errno: ENOENT))
        #expect(thrownError { _ = try SmapsSnapshot.read(pid: 20, procRoot: root.path) } == .unreadable(path: root.path + "/20/smaps", errno: EISDIR))
        #expect(SmapsError.unreadable(path: "/x", errno: ENOENT).description == "cannot read /x: No such file or directory (errno 2)")
    }

    /// pid 1 belongs to the container's init: reading its smaps either works
    /// (enough privilege) or is permissionDenied, never anything else.
    @Test func otherUsersProcessIsPermissionDeniedOrReadable() {
        guard getpid() != 1 else { return }
        let error = thrownError { _ = try SmapsSnapshot.read(pid: 1) }
        if let error {
            #expect(error == .permissionDenied(pid: 1, path: "/proc/1/smaps"))
            #expect(error.description.hasPrefix("permission denied reading /proc/1/smaps"))
        }
    }
}

/// A small deterministic random number generator for the mutation test.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

