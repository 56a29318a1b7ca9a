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
}
