/// A plain-text description of a scenario, for `cowlab show`.
public enum ScenarioDescription {
    public static func render(_ s: Scenario) -> String {
        var lines = ["\(s.name): \(s.title)", "  file:     \(s.file)",
                     "  source:   \(s.source.document)\(s.source.section.map { ", \($0)" } ?? "")"]
        if !s.parameters.isEmpty {
            lines.append("  params:   " + s.parameters.map { "\($0.name)=\($0.text)" }.joined(separator: ", ")
                + "  (override with --set NAME=VALUE)")
        }
        if !s.machineParameters.isEmpty {
            lines.append("  machine:  " + s.machineParameters.map { "$\($0)" }.joined(separator: ", ") + "  (read from this machine at run time)")
        }
        if !s.requirements.isEmpty { lines.append("  requires: " + s.requirements.map(\.description).joined(separator: ", ")) }
        lines.append("  subjects: " + s.subjects.joined(separator: ", "))
        lines.append("steps:")
        for step in s.steps {
            let target: String
            switch step.operation {
            case .copy(let from, let to): target = " \(from) → \(to)"
            case .fork(let child): target = " → \(child)"
            case .createFile(let file, _, _, _, _, _, _): target = " \(file)"
            default: target = step.operation.region.map { " \($0)" } ?? ""
            }
            lines.append("  \(step.index + 1). [\(step.label)] \(step.process.map { "\($0): " } ?? "")\(step.operation.name)\(target)"
                + (step.why.map { "  (\($0))" } ?? ""))
        }
        lines.append("expectations:")
        for e in s.expectations {
            let whereText: String
            switch e.kind {
            case .state(let at): whereText = "at \(at)"
            case .presence(let at, let present): whereText = "at \(at): \(present ? "present" : "absent")"
            case .change(let a, let b): whereText = "change \(a) → \(b)"
            case .shift(let a, let b, let f, let t, _, let amount): whereText = "shift \(f) → \(t) between \(a) and \(b): \(amount)"
            case .frames(let at, let first, let second): whereText = "frames at \(at) between \(first) and \(second)"
            }
            let conds = e.conditions.map { "\($0.field) \($0.text)" }.joined(separator: "; ")
            lines.append("  - \(e.processes.joined(separator: ", ")) \(e.scope) \(whereText)\(conds.isEmpty ? "" : ": " + conds)")
        }
        return lines.joined(separator: "\n")
    }
}
