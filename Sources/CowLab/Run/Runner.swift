import Foundation
import Smaps

/// How a run is configured from the command line.
public struct RunOptions: Sendable {
    /// `--set name=value` overrides of scenario parameters.
    public var overrides: [String: String] = [:]
    /// Where file experiments create their test files (its file system matters).
    public var dataDirectory: String = NSTemporaryDirectory()
    /// Seconds a subject may take to answer one step.
    public var stepTimeout: Double = 30
    /// Path of the `cowlab-subject` binary; nil finds it beside this executable.
    public var subjectPath: String?
    /// Called as each step starts, for progress display.
    public var onStep: (@Sendable (Int, Int, String) -> Void)?

    public init() {}
}

/// A problem that prevents a run from starting (bad override, not enough memory).
public struct RunSetupError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public var description: String { message }
}

/// Runs one scenario: starts the subjects, executes each step, snapshots
/// smaps of every live subject after it, then evaluates the expectations.
/// The subjects are always killed and reaped before `run()` returns.
public struct Runner {
    public static let version = "0.1.0"

    public let scenario: Scenario
    public let options: RunOptions

    public init(scenario: Scenario, options: RunOptions = RunOptions()) {
        self.scenario = scenario
        self.options = options
    }

    /// Resolves parameter defaults and overrides into quantities.
    public func resolveParameters(pageSize: Int) throws(RunSetupError) -> ([String: Quantity], [ParameterValue]) {
        for key in options.overrides.keys.sorted() where !scenario.parameters.contains(where: { $0.name == key }) {
            if let machine = MachineParameters.definition(key) {
                throw RunSetupError(message: "--set \(key): '\(key)' is read from this machine (\(machine.help)) and cannot be set")
            }
            let known = scenario.parameters.map(\.name)
            throw RunSetupError(message: "\(scenario.name): no parameter '\(key)' to set (parameters: \(known.isEmpty ? "none" : known.joined(separator: ", ")))")
        }
        var values: [String: Quantity] = [:]
        var records: [ParameterValue] = []
        for p in scenario.parameters {
            var expr = p.defaultValue
            var text = p.text
            let overridden = options.overrides[p.name] != nil
            if let o = options.overrides[p.name] {
                do {
                    expr = try ExpressionParser.expression(o, knownFields: [])
                } catch {
                    throw RunSetupError(message: "--set \(p.name)=\(o): bad size: \(error.message)")
                }
                guard expr.parameters.isEmpty else { throw RunSetupError(message: "--set \(p.name)=\(o): parameters cannot refer to parameters") }
                text = o
            }
            let q: Quantity
            do {
                q = try expr.evaluate(in: EvaluationContext(pageSize: pageSize))
            } catch {
                throw RunSetupError(message: "\(overridden ? "--set \(p.name)=\(text)" : "\(scenario.file): params.\(p.name)"): \(error.message)")
            }
            if p.defaultValue.isSizeLiteral && !q.isSize && q.value != 0 {
                throw RunSetupError(message: "--set \(p.name)=\(text): '\(p.name)' is a size; give a unit (B, KiB, MiB, GiB or pages)")
            }
            guard q.value >= 0 else { throw RunSetupError(message: "\(p.name) = \(text) is negative") }
            values[p.name] = q
            records.append(ParameterValue(name: p.name, text: text, bytes: q.value, isSize: q.isSize, overridden: overridden))
        }
        return (values, records)
    }

    public func run() -> RunRecord {
        let started = Date()
        let environment = EnvironmentProbe.probe(dataDirectory: options.dataDirectory)
        var record = RunRecord(
            format: RunRecord.currentFormat, cowlabVersion: Runner.version,
            scenario: ScenarioInfo(name: scenario.name, title: scenario.title, file: scenario.file, source: scenario.source,
                                   question: scenario.question, explanation: scenario.explanation, subjects: scenario.subjects,
                                   requirements: scenario.requirements.map(\.description)),
            parameters: [], environment: environment, startedAt: ISO8601DateFormatter().string(from: started),
            durationSeconds: 0, steps: [], snapshots: [], expectations: [], document: [], verdict: .pass, reason: nil)
        var parameters: [String: Quantity]
        do {
            (parameters, record.parameters) = try resolveParameters(pageSize: environment.pageSize)
        } catch {
            record.verdict = .error
            record.reason = error.message
            return record
        }
        let (machineValues, machineRows) = MachineParameters.resolve(scenario.machineParameters, environment: environment)
        parameters.merge(machineValues) { scenarioValue, _ in scenarioValue }
        record.parameters += machineRows
        if let unmet = RequirementCheck.firstUnmet(scenario.requirements, environment: environment) {
            record.verdict = .skip
            record.reason = unmet
            record.durationSeconds = Date().timeIntervalSince(started)
            return record
        }
        var session = RunSession(scenario: scenario, options: options, parameters: parameters, pageSize: environment.pageSize)
        session.execute(into: &record)
        let evaluator = ExpectationEvaluator(scenario: scenario, snapshots: record.snapshots, pageSize: environment.pageSize,
                                             parameters: parameters)
        record.expectations = session.contentChecks + evaluator.evaluate()
        record.document = evaluator.claims()
        if record.verdict != .error {
            record.verdict = record.expectations.map(\.verdict).filter { $0 != .skip }.max() ?? .pass
            if record.verdict == .fail {
                let failed = record.expectations.filter { $0.verdict == .fail }.count
                record.reason = "\(failed) of \(record.expectations.count) expectations do not hold"
            }
        }
        record.durationSeconds = (Date().timeIntervalSince(started) * 1000).rounded() / 1000
        return record
    }
}

extension SizeExpression {
    /// True when the expression is written with a unit (a size literal or sizes combined).
    var isSizeLiteral: Bool {
        switch self {
        case .size: return true
        case .number, .parameter, .field: return false
        case .negate(let e): return e.isSizeLiteral
        case .binary(_, let l, let r): return l.isSizeLiteral || r.isSizeLiteral
        case .call(_, let args): return args.contains { $0.isSizeLiteral }
        }
    }
}

extension Requirement: CustomStringConvertible {
    public var description: String {
        switch self {
        case .swap: return "active swap"
        case .root: return "root"
        case .thp(let modes): return "THP enabled in \(modes.joined(separator: " or ")) mode"
        case .kernel(let v): return "Linux >= \(v.map(String.init).joined(separator: "."))"
        case .writableDirectory(let d): return "a writable \(d)"
        case .dataFileSystem(let types): return "the data directory on \(Requirement.orList(types))"
        }
    }

    static func orList(_ items: [String]) -> String {
        items.count <= 1 ? items.joined() : items.dropLast().joined(separator: ", ") + " or " + items.last!
    }
}

enum RequirementCheck {
    /// The first requirement this machine does not meet, as a skip reason.
    static func firstUnmet(_ requirements: [Requirement], environment env: EnvironmentRecord) -> String? {
        for r in requirements {
            switch r {
            case .swap where !env.swapActive:
                return "needs active swap; this machine has none (SwapTotal 0)"
            case .root where !env.root:
                return "needs root"
            case .thp(let modes) where !modes.contains(env.thpEnabled):
                return "needs THP \(modes.joined(separator: " or ")); it is '\(env.thpEnabled)' here"
            case .kernel(let v) where env.kernelVersion.lexicographicallyPrecedes(v):
                return "needs Linux >= \(v.map(String.init).joined(separator: ".")); this is \(env.kernelRelease)"
            case .writableDirectory(let d) where access(d, W_OK) != 0:
                return "needs a writable \(d)"
            case .dataFileSystem(let types) where !types.contains(env.dataFileSystem):
                return "needs the data directory on \(Requirement.orList(types)); \(env.dataDirectory) is \(env.dataFileSystem) here (choose another with --data-dir)"
            default:
                continue
            }
        }
        return nil
    }
}
