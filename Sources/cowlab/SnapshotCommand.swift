import ArgumentParser
import Smaps

/// `cowlab snapshot PID|FILE [--json] [--rollup] [--mapping ADDR|NAME]`
struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Print the smaps of a process or of a saved smaps file.",
        discussion: """
            Prints a pmap -X-like table with a totals line, or JSON (format \
            cowlab-smaps/1) with --json. The Pss total is the sum of per-mapping \
            Pss values, each truncated to whole kB by the kernel; --rollup reads \
            smaps_rollup, whose Pss is exact. Exit status 3 for bad input (no \
            such pid, unreadable or malformed file, no such mapping), 64 for bad usage.
            """)

    @Argument(help: "A pid (all digits), or the path of a saved smaps or smaps_rollup file (./123 for a file named 123).")
    var target: String

    @Flag(help: "Print JSON for tools instead of the table.")
    var json = false

    @Flag(help: "Read /proc/PID/smaps_rollup (needs a pid).")
    var rollup = false

    @Option(help: "Only the mapping containing ADDR (hex, 0x optional), or the mappings with pathname or file name NAME.")
    var mapping: String?

    func run() throws {
        try Self.run(target: target, json: json, rollup: rollup, mapping: mapping)
    }

    static func run(target: String, json: Bool, rollup: Bool, mapping: String?) throws {
        do {
            try SmapsFrontend.runSnapshot(target: target, json: json, rollup: rollup, mapping: mapping)
        } catch let failure as SmapsFrontend.Failure {
            SmapsFrontend.writeStandardError(failure.message)
            throw ExitCode(failure.exitCode)
        }
    }

    /// TARGET when the arguments are exactly `snapshot TARGET --json` or
    /// `snapshot --json TARGET` with a TARGET that ArgumentParser would take
    /// as the positional argument as it is (not empty, no leading "-"), else nil.
    static func plainJSONTarget(_ arguments: ArraySlice<String>) -> String? {
        let a = Array(arguments)
        guard a.count == 3, a[0] == "snapshot" else { return nil }
        let target: String
        if a[2] == "--json" {
            target = a[1]
        } else if a[1] == "--json" {
            target = a[2]
        } else {
            return nil
        }
        guard let first = target.utf8.first, first != UInt8(ascii: "-") else { return nil }
        return target
    }
}
