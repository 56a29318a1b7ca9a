/// Read-only parameters that describe the machine rather than the scenario,
/// such as `$fault_around`. Expectations use them where the kernel's answer
/// depends on a tunable: "Rss >= $fault_around" holds whatever this machine's
/// fault_around_bytes is. They cannot be set with `--set`, and a scenario
/// cannot declare a parameter of the same name.
public enum MachineParameters {
    public struct Definition: Sendable {
        public var name: String
        public var help: String
        /// The value on a machine, in bytes, and where it came from.
        public var value: @Sendable (EnvironmentRecord) -> (bytes: Int, source: String)?
    }

    public static let all: [Definition] = [
        Definition(
            name: "fault_around",
            help: "bytes a read fault on a file mapping maps around the faulting address (fault_around_bytes)",
            value: { env in env.faultAroundBytes.map { ($0, env.faultAroundSource ?? "probed") } }),
    ]

    public static var names: Set<String> { Set(all.map(\.name)) }

    public static func definition(_ name: String) -> Definition? { all.first { $0.name == name } }

    /// The values of `names` on this machine, as quantities and as report rows.
    /// A name the probe could not measure is left out; evaluating it then fails
    /// with "unknown parameter", which the report shows as an error, never a pass.
    static func resolve(_ names: [String], environment: EnvironmentRecord) -> ([String: Quantity], [ParameterValue]) {
        var values: [String: Quantity] = [:]
        var rows: [ParameterValue] = []
        for name in names {
            guard let d = definition(name), let (bytes, source) = d.value(environment) else { continue }
            values[name] = Quantity(bytes: Double(bytes))
            rows.append(ParameterValue(name: name, text: "machine: \(source)", bytes: Double(bytes), isSize: true, overridden: false))
        }
        return (values, rows)
    }
}
