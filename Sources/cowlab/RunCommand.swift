import ArgumentParser
import CowLab
import Foundation
import Reports

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run scenarios and write their lab reports.",
        discussion: """
        Writes into the output directory, per scenario: NAME.md (the lab report) with its pictures \
        NAME-LABEL.svg (a stacked bar chart of Shared/Private Clean/Dirty per process after each step), \
        NAME-timeline.svg (Rss and Pss over the steps) and, where two processes' frames were joined, \
        NAME-LABEL.frames.svg (a page strip); NAME.json (the run record, from which `cowlab report` \
        re-renders the report); NAME.junit.xml with --format junit. With --all also README.md (the suite index) \
        and, with --format junit, junit.xml.

        On a terminal a progress line shows the scenario (n/N) and the step; otherwise one line per scenario. \
        With --repeat N every scenario runs N times and a scenario whose verdict, or any expectation's, is not \
        the same every time is reported as flipping (exit code 1); the reports are those of the last run.
        """
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

    @Option(name: .long, help: ArgumentHelp("Report formats, comma-separated: md (with its SVG pictures), json, junit.", valueName: "formats"))
    var format = "md,json"

    @Option(name: .long, help: ArgumentHelp("Run each scenario N times and report any verdict that flips between runs.", valueName: "N"))
    var `repeat` = 1

    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Also print every expectation's sentence, and each step when not on a terminal.")
    var verbose = false

    func validate() throws {
        if all && !names.isEmpty { throw ValidationError("give scenario names or --all, not both") }
        if !all && names.isEmpty { throw ValidationError("name a scenario (see `cowlab list`) or pass --all") }
        if !(timeout > 0 && timeout <= 3600) { throw ValidationError("--timeout must be between 0 and 3600 seconds") }
        if !(1...1000).contains(`repeat`) { throw ValidationError("--repeat must be between 1 and 1000") }
        if quiet && verbose { throw ValidationError("give --quiet or --verbose, not both") }
        for s in settings where !s.contains("=") || s.hasPrefix("=") {
            throw ValidationError("--set takes name=value, e.g. --set size=1MiB; got '\(s)'")
        }
        do { _ = try ReportFormat.parseList(format) } catch { throw ValidationError("--format: \(error)") }
    }

    func run() throws {
        let formats = try ReportFormat.parseList(format)
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
            if MachineParameters.names.contains(key) {
                printError("cowlab: --set \(key): '\(key)' is a read-only machine parameter: it is measured on this machine, not set")
            } else {
                printError("cowlab: --set \(key): no selected scenario has a parameter '\(key)'")
            }
            throw Exit.usage
        }

        let writer = ReportWriter(directory: out, formats: formats)
        do { try writer.prepare() } catch {
            printError("cowlab: cannot create the output directory \(out): \(error.localizedDescription)")
            throw Exit.runError
        }
        let progress = Progress(mode: quiet ? .quiet : verbose ? .verbose : .normal)
        // SIGINT/SIGTERM/SIGHUP: the current run stops its subjects and removes its files,
        // its partial report is written, and nothing further starts.
        Interrupts.install()
        var records: [RunRecord] = []
        var worst = Verdict.pass
        var flipped: [String] = []
        for (i, scenario) in loaded.enumerated() {
            var options = RunOptions()
            options.overrides = overrides.filter { key, _ in scenario.parameters.contains { $0.name == key } }
            options.stepTimeout = timeout
            if let dataDir { options.dataDirectory = dataDir }
            var runs: [RunRecord] = []
            for r in 1...`repeat` {
                if r > 1 && Interrupts.pending != nil { break }
                var position = "[\(i + 1)/\(loaded.count)] \(scenario.name)"
                if `repeat` > 1 { position += " (run \(r)/\(`repeat`))" }
                let where_ = position
                options.onStep = { n, total, label in progress.step("\(where_): step \(n)/\(total) \(label)") }
                progress.step(position)
                let record = Runner(scenario: scenario, options: options).run()
                runs.append(record)
                worst = max(worst, record.verdict)
                if r < `repeat` {
                    progress.line("\(position): \(summary(record))", detail: record)
                }
                if record.verdict == .error, let reason = record.reason { progress.error("cowlab: \(reason)") }
            }
            let record = runs[runs.count - 1]
            records.append(record)
            let files: [String]
            do {
                files = try writer.write(record)
            } catch {
                progress.error("cowlab: cannot write the report for \(scenario.name) into \(out): \(error.localizedDescription)")
                throw Exit.runError
            }
            var position = "[\(i + 1)/\(loaded.count)] \(scenario.name)"
            if `repeat` > 1 { position += " (run \(`repeat`)/\(`repeat`))" }
            progress.line("\(position): \(summary(record))" + (files.first.map { " → \($0)" } ?? ""), detail: record)
            if let signal = Interrupts.pending {
                progress.error("cowlab: interrupted by signal \(signal); subjects stopped and temporary files removed; \(loaded.count - i - 1) scenario(s) not run")
                throw ExitCode(128 + signal)
            }
            if `repeat` > 1 {
                let s = RepeatSummary(scenario: scenario.name, runs: runs)
                if s.flipped {
                    flipped.append(scenario.name)
                    for l in s.lines { progress.error(l) }
                } else {
                    for l in s.lines { progress.line(l) }
                }
            }
        }
        if all {
            do {
                for path in try writer.writeSuite(records) { progress.line("suite → \(path)") }
            } catch {
                progress.error("cowlab: cannot write the suite files into \(out): \(error.localizedDescription)")
                throw Exit.runError
            }
        }
        if !flipped.isEmpty {
            progress.error("cowlab: verdicts differ between the \(`repeat`) runs of: \(flipped.joined(separator: ", "))")
        }
        switch worst {
        case .error: throw Exit.runError
        case .fail: throw Exit.expectationFailed
        case .pass, .skip: if !flipped.isEmpty { throw Exit.expectationFailed }
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

/// What the user sees while a suite runs. Results go to standard output;
/// progress and errors to standard error. On a terminal the progress is one
/// line rewritten in place (scenario n/N and step), cleared before any other
/// output; elsewhere there is no rewriting, only plain lines.
final class Progress: @unchecked Sendable {
    enum Mode { case quiet, normal, verbose }

    let mode: Mode
    let terminal = isatty(2) == 1
    private let lock = NSLock()
    private var showing = false

    init(mode: Mode) { self.mode = mode }

    /// The current scenario and step: rewritten in place on a terminal, a plain
    /// line with --verbose elsewhere, nothing otherwise.
    func step(_ text: String) {
        guard mode != .quiet else { return }
        lock.withLock {
            if terminal {
                printError("\r\u{1B}[K\(text)", newline: false)
                showing = true
            } else if mode == .verbose {
                printError(text)
            }
        }
    }

    /// A result line on standard output; with --verbose followed by every
    /// expectation's sentence of `detail`.
    func line(_ text: String, detail: RunRecord? = nil) {
        guard mode != .quiet else { return }
        lock.withLock {
            clear()
            print(text)
            if mode == .verbose, let detail {
                for e in detail.expectations { print("  \(mark(e.verdict)) \(e.sentence)") }
            }
            fflush(nil)
        }
    }

    /// An error line: always shown, on standard error.
    func error(_ text: String) {
        lock.withLock {
            clear()
            printError(text)
        }
    }

    private func clear() {
        if showing {
            printError("\r\u{1B}[K", newline: false)
            showing = false
        }
    }

    func mark(_ v: Verdict) -> String {
        switch v {
        case .pass: return "pass "
        case .fail: return "FAIL "
        case .skip: return "skip "
        case .error: return "ERROR"
        }
    }
}

func printError(_ text: String, newline: Bool) {
    var stderr = StandardError()
    print(text, terminator: newline ? "\n" : "", to: &stderr)
}
