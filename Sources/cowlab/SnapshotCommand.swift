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
        do {
            try SmapsFrontend.runSnapshot(target: target, json: json, rollup: rollup, mapping: mapping)
        } catch let failure as SmapsFrontend.Failure {
            SmapsFrontend.writeStandardError(failure.message)
            throw ExitCode(failure.exitCode)
        }
    }
}
