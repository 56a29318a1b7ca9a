import ArgumentParser
import CowLab
import Foundation
import Reports

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run scenarios and write their lab reports.",
        discussion: "Writes NAME.md and NAME.json per scenario into the output directory, and README.md (the suite index) with --all."
    )

    @Argument(help: "Scenario names (see `cowlab list`) or paths to .yaml files.")
    var names: [String] = []

    @Flag(name: .long, help: "Run every scenario in the catalogue.")
    var all = false

    @Option(name: .long, help: "Where reports go.")
    var out = "results"

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a scenario parameter, e.g. --set size=1MiB (repeatable).", valueName: "name=value"))
    var settings: [String] = []

    @Option(name: .long, help: "The scenario directory (default: the built-in catalogue).")
    var scenarios: String?

    @Option(name: .long, help: "Directory for the scenarios' test files; its file system is recorded (default: $TMPDIR or /tmp).")
    var dataDir: String?

    @Option(name: .long, help: "Seconds a subject may take to answer one step.")
    var timeout: Double = 30

    @Flag(name: .long, help: "Print nothing but errors.")
    var quiet = false

    func validate() throws {
        if all && !names.isEmpty { throw ValidationError("give scenario names or --all, not both") }
        if !all && names.isEmpty { throw ValidationError("name a scenario (see `cowlab list`) or pass --all") }
        if !(timeout > 0 && timeout <= 3600) { throw ValidationError("--timeout must be between 0 and 3600 seconds") }
        for s in settings where !s.contains("=") || s.hasPrefix("=") {
            throw ValidationError("--set takes name=value, e.g. --set size=1MiB; got '\(s)'")
        }
    }

    func run() throws {
        let catalogue = try orExit { () throws(ScenarioError) in try Catalogue.locate(explicit: scenarios) }
        let list = all ? try orExit({ () throws(ScenarioError) in try catalogue.names() }) : names
        // Load everything first: a broken file stops the run before any subject starts.
        var loaded: [Scenario] = []
        var broken = false
        for name in list {
            do { loaded.append(try catalogue.load(name)) } catch {
                printError("cowlab: \(error)")
                broken = true
            }
        }
        if broken { throw Exit.scenarioError }
        let overrides = Dictionary(settings.map { s -> (String, String) in
            let i = s.firstIndex(of: "=")!
            return (String(s[..<i]), String(s[s.index(after: i)...]))
        }, uniquingKeysWith: { _, last in last })
        for key in overrides.keys.sorted() where !loaded.contains(where: { $0.parameters.contains { $0.name == key } }) {
            printError("cowlab: --set \(key): no selected scenario has a parameter '\(key)'")
            throw Exit.usage
        }

        let writer = ReportWriter(directory: out)
        do { try writer.prepare() } catch {
            printError("cowlab: cannot create the output directory \(out): \(error.localizedDescription)")
            throw Exit.runError
        }
        let progress = Progress(quiet: quiet)
        var records: [RunRecord] = []
        for (i, scenario) in loaded.enumerated() {
            var options = RunOptions()
            options.overrides = overrides.filter { key, _ in scenario.parameters.contains { $0.name == key } }
            options.stepTimeout = timeout
            if let dataDir { options.dataDirectory = dataDir }
            let position = "[\(i + 1)/\(loaded.count)] \(scenario.name)"
            options.onStep = { n, total, label in progress.step("\(position): step \(n)/\(total) \(label)") }
            progress.step(position)
            let record = Runner(scenario: scenario, options: options).run()
            records.append(record)
            do {
                let files = try writer.write(record)
                progress.done("\(position): \(summary(record)) → \(files[0])")
            } catch {
                printError("cowlab: cannot write the report for \(scenario.name) into \(out): \(error.localizedDescription)")
                throw Exit.runError
            }
            if record.verdict == .error, let reason = record.reason { printError("cowlab: \(reason)") }
        }
        if all {
            do {
                let index = try writer.writeIndex(records)
                progress.done("index → \(index)")
            } catch {
                printError("cowlab: cannot write the index into \(out): \(error.localizedDescription)")
                throw Exit.runError
            }
        }
        let worst = records.map(\.verdict).max() ?? .pass
        switch worst {
        case .pass, .skip: return
        case .fail: throw Exit.expectationFailed
        case .error: throw Exit.runError
        }
    }

    func summary(_ r: RunRecord) -> String {
        let counted = r.expectations.filter { $0.verdict != .skip }
        let held = counted.filter { $0.verdict == .pass }.count
        switch r.verdict {
        case .pass: return "pass (\(held)/\(counted.count) hold, \(r.durationSeconds) s)"
        case .fail: return "FAIL (\(held)/\(counted.count) hold)"
        case .skip: return "skipped: \(r.reason ?? "")"
        case .error: return "ERROR"
        }
    }
}

/// Progress on stderr: a rewritten line on a terminal, plain lines otherwise.
final class Progress: @unchecked Sendable {
    let quiet: Bool
    let terminal = isatty(2) == 1
    private let lock = NSLock()

    init(quiet: Bool) { self.quiet = quiet }

    func step(_ text: String) {
        guard !quiet, terminal else { return }
        lock.withLock { printError("\r\u{1B}[K\(text)", newline: false) }
    }

    func done(_ text: String) {
        guard !quiet else { return }
        lock.withLock { printError(terminal ? "\r\u{1B}[K\(text)" : text) }
    }
}

func printError(_ text: String, newline: Bool) {
    var stderr = StandardError()
    print(text, terminator: newline ? "\n" : "", to: &stderr)
}
