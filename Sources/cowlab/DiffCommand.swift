import ArgumentParser
import Smaps

/// `cowlab diff A B`
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show the mappings that are new, changed or gone between two smaps snapshots.",
        discussion: """
            A and B are pids or saved smaps files. Mappings are matched by start \
            address; each changed kB field is shown with its delta. Exit status 3 \
            for bad input, 64 for bad usage.
            """)

    @Argument(help: "The earlier snapshot: a pid or a saved smaps file.")
    var before: String

    @Argument(help: "The later snapshot: a pid or a saved smaps file.")
    var after: String

    func run() throws {
        do {
            SmapsFrontend.writeStandardOutput(try SmapsFrontend.diff(before, after))
        } catch let failure as SmapsFrontend.Failure {
            SmapsFrontend.writeStandardError(failure.message)
            throw ExitCode(failure.exitCode)
        }
    }
}
