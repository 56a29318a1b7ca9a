import ArgumentParser

/// Exit codes, documented in the README and in `cowlab --help`.
enum Exit {
    static let expectationFailed = ExitCode(1)
    static let scenarioError = ExitCode(2)
    static let inputError = ExitCode(3)
    static let runError = ExitCode(4)
    static let usage = ExitCode(64)
}

@main
struct Cowlab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cowlab",
        abstract: "A copy-on-write laboratory: reproduce memory experiments and check /proc/PID/smaps.",
        discussion: """
        Each scenario starts small C subject processes that malloc, mmap, write, fork and madvise, \
        snapshots /proc/PID/smaps of every subject after every step, checks the expected shifts \
        between Shared_Dirty, Private_Dirty and the other fields, and writes a markdown lab report.

        Exit codes: 0 every expectation held (or the scenario was skipped), 1 an expectation failed \
        (with --repeat, also: a verdict differed between runs), 2 a scenario file or name is wrong, \
        3 a smaps file, pid or run record cannot be read, 4 a run could not complete (a subject failed \
        or timed out, not enough memory, reports cannot be written), 64 bad command-line usage.
        """,
        version: "0.1.0",
        subcommands: [ListCommand.self, ShowCommand.self, RunCommand.self, ReportCommand.self, SnapshotCommand.self, DiffCommand.self]
    )

    /// `cowlab snapshot TARGET --json` (either order) runs without
    /// ArgumentParser: parsing the command tree (reflection and protocol
    /// conformance lookups over the whole statically linked binary) took
    /// ~1.5 ms, a third of the start-up of a snapshot that is meant to cost
    /// little more than `cat /proc/PID/smaps`. Same call, same output, same
    /// errors and exit codes; every other command line goes to ArgumentParser.
    static func main() {
        if let target = SnapshotCommand.plainJSONTarget(CommandLine.arguments.dropFirst()) {
            do {
                try SnapshotCommand.run(target: target, json: true, rollup: false, mapping: nil)
            } catch {
                exit(withError: error)
            }
            return
        }
        main(nil)
    }
}
