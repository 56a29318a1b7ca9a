// What `cowlab snapshot` and `cowlab diff` do, as testable functions: the CLI
// subcommands only parse arguments, call these, and map a Failure to its exit code.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

public enum SmapsFrontend {
    /// A failure to report as one line on stderr and an exit code.
    public struct Failure: Error, CustomStringConvertible, Equatable {
        /// Bad input: no such pid, unreadable or malformed file, no such mapping.
        public static let inputError: Int32 = 3
        /// Bad usage: contradictory or malformed arguments (EX_USAGE).
        public static let usageError: Int32 = 64

        public var message: String
        public var exitCode: Int32

        public init(message: String, exitCode: Int32) {
            self.message = message
            self.exitCode = exitCode
        }

        public var description: String { message }

        static func input(_ message: String) -> Failure { Failure(message: message, exitCode: inputError) }
        static func usage(_ message: String) -> Failure { Failure(message: message, exitCode: usageError) }
    }

    /// What a `PID|FILE` argument names: all digits is a pid (write `./123`
    /// for a file called 123), anything else a path.
    public enum Target: Equatable, Sendable {
        case pid(Int32)
        case file(String)

        public init(_ argument: String) throws {
            if !argument.isEmpty && argument.utf8.allSatisfy({ Ascii.isDigit($0) }) {
                guard let pid = Int32(argument), pid > 0 else {
                    throw Failure.usage("'\(argument)' is not a valid pid")
                }
                self = .pid(pid)
            } else if argument.isEmpty {
                throw Failure.usage("expected a pid or a file, got an empty argument")
            } else {
                self = .file(argument)
            }
        }
    }

    /// Reads a target: a pid's smaps (or smaps_rollup with `rollup`), or a saved file.
    public static func load(_ argument: String, rollup: Bool = false, procRoot: String = "/proc") throws -> SmapsSnapshot {
        let target = try resolve(argument, rollup: rollup)
        return try asInputFailure {
            switch target {
            case .pid(let pid):
                return rollup
                    ? try SmapsSnapshot.readRollup(pid: pid, procRoot: procRoot)
                    : try SmapsSnapshot.read(pid: pid, procRoot: procRoot)
            case .file(let path):
                return try SmapsSnapshot.read(path: path)
            }
        }
    }

    /// The target an argument names, refusing --rollup for a file.
    private static func resolve(_ argument: String, rollup: Bool) throws -> Target {
        let target = try Target(argument)
        if case .file = target, rollup {
            throw Failure.usage("--rollup needs a pid; a saved smaps_rollup file is read as it is, without --rollup")
        }
        return target
    }

    /// Runs `body`, turning a SmapsError (no such pid, unreadable, malformed) into an input failure.
    private static func asInputFailure<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SmapsError {
            throw Failure.input(error.description)
        }
    }

    /// `cowlab snapshot TARGET [--json] [--rollup] [--mapping ADDR|NAME]`: the
    /// bytes to print.
    public static func snapshot(
        target: String, json: Bool = false, rollup: Bool = false, mapping: String? = nil,
        procRoot: String = "/proc"
    ) throws -> [UInt8] {
        let snapshot = try load(target, rollup: rollup, procRoot: procRoot)
        let selected = try select(mapping, in: snapshot)
        return json
            ? SmapsJSON.encode(snapshot, mappings: selected)
            : Array(SmapsTable.render(snapshot, mappings: selected).utf8)
    }

    /// `cowlab snapshot …` printing to standard output. Plain `--json`
    /// encodes and writes each mapping while the rest is still being read, so
    /// on a failure midway standard output holds an incomplete document (and
    /// the exit status is 3).
    public static func runSnapshot(
        target: String, json: Bool = false, rollup: Bool = false, mapping: String? = nil,
        procRoot: String = "/proc"
    ) throws {
        guard json, mapping == nil else {
            writeStandardOutput(try snapshot(target: target, json: json, rollup: rollup, mapping: mapping, procRoot: procRoot))
            return
        }
        let parsed = try resolve(target, rollup: rollup)
        try asInputFailure {
            switch parsed {
            case .pid(let pid):
                let file = rollup ? "smaps_rollup" : "smaps"
                _ = try SmapsJSON.streamJSON(
                    { try SmapsSnapshot.stream(pid: pid, file: file, procRoot: procRoot, each: $0) },
                    source: "\(procRoot)/\(pid)/\(file)", to: STDOUT_FILENO)
            case .file(let path):
                _ = try SmapsJSON.streamJSON(
                    { try SmapsSnapshot.stream(path: path, each: $0) }, source: path, to: STDOUT_FILENO)
            }
        }
    }

    /// The mappings `--mapping spec` selects, nil without `spec`.
    static func select(_ spec: String?, in snapshot: SmapsSnapshot) throws -> [Mapping]? {
        guard let spec else { return nil }
        let found = snapshot.select(spec)
        if found.isEmpty {
            throw Failure.input("\(snapshot.source): no mapping \(MappingSelector.describe(spec))")
        }
        return found
    }

    /// `cowlab diff A B`: the bytes to print.
    public static func diff(_ a: String, _ b: String, procRoot: String = "/proc") throws -> [UInt8] {
        let before = try load(a, procRoot: procRoot)
        let after = try load(b, procRoot: procRoot)
        let diff = SmapsDiff(from: before, to: after)
        return Array(SmapsDiffTable.render(diff, before: before, after: after).utf8)
    }

    /// Writes `bytes` to standard output. A closed pipe (`| head`) is not an error.
    public static func writeStandardOutput(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { system_writeAll(STDOUT_FILENO, $0) }
    }

    /// Writes `cowlab: MESSAGE` and a newline to standard error.
    public static func writeStandardError(_ message: String) {
        let line = Array("cowlab: \(message)\n".utf8)
        _ = line.withUnsafeBytes { system_writeAll(STDERR_FILENO, $0) }
    }
}

/// How `--mapping` picks mappings.
public enum MappingSelector {
    /// The address `spec` names, if it is one: `0x` followed by hex digits, or
    /// only hex digits (so a pathname must contain something else: `/`, `[`...).
    public static func address(_ spec: String) -> UInt64? {
        var digits = Substring(spec)
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
        guard !digits.isEmpty, digits.utf8.count <= 16 else { return nil }
        return UInt64(digits, radix: 16)
    }

    static func describe(_ spec: String) -> String {
        address(spec).map { "contains address 0x\(String($0, radix: 16))" } ?? "is named '\(spec)'"
    }
}

extension SmapsSnapshot {
    /// The mappings `spec` selects: the one containing an address (see
    /// `MappingSelector.address`), else those whose pathname is `spec`, else
    /// those whose last path component is `spec` (`libc.so.6`).
    public func select(_ spec: String) -> [Mapping] {
        if let address = MappingSelector.address(spec) {
            return mapping(containing: address).map { [$0] } ?? []
        }
        let exact = mappings.filter { $0.pathname == spec || $0.displayName == spec }
        if !exact.isEmpty { return exact }
        return mappings.filter { m in
            guard let slash = m.pathname.lastIndex(of: "/") else { return false }
            return m.pathname[m.pathname.index(after: slash)...] == spec
        }
    }
}
