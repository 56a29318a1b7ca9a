import Foundation

/// Finds scenario files: `--scenarios DIR`, `$COWLAB_SCENARIOS`, the
/// `Scenarios/` folder of the source tree this binary was built from, or
/// `Scenarios/` beside a `Package.swift` above the executable or the working directory.
public struct Catalogue: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    public static func locate(explicit: String? = nil) throws(ScenarioError) -> Catalogue {
        if let explicit {
            guard isDirectory(explicit) else {
                throw ScenarioError(file: explicit, line: nil, keyPath: "", message: "no such scenario directory")
            }
            return Catalogue(directory: explicit)
        }
        var candidates: [String] = []
        if let env = ProcessInfo.processInfo.environment["COWLAB_SCENARIOS"], !env.isEmpty { candidates.append(env) }
        // Sources/CowLab/Scenario/Catalogue.swift -> the package root.
        let sourceRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(sourceRoot.appendingPathComponent("Scenarios").path)
        for start in [executableDirectory(), FileManager.default.currentDirectoryPath].compactMap({ $0 }) {
            var dir = URL(fileURLWithPath: start)
            for _ in 0..<6 {
                candidates.append(dir.appendingPathComponent("Scenarios").path)
                dir.deleteLastPathComponent()
            }
        }
        for c in candidates where isDirectory(c) { return Catalogue(directory: c) }
        throw ScenarioError(file: "Scenarios", line: nil, keyPath: "",
                            message: "cannot find the scenario catalogue; pass --scenarios DIR or set COWLAB_SCENARIOS")
    }

    static func executableDirectory() -> String? {
        guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        return (exe as NSString).deletingLastPathComponent
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }

    /// Scenario names (file names without `.yaml`), sorted.
    public func names() throws(ScenarioError) -> [String] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw ScenarioError(file: directory, line: nil, keyPath: "", message: "cannot list the scenario directory")
        }
        return entries.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    }

    public func path(of name: String) -> String { (directory as NSString).appendingPathComponent("\(name).yaml") }

    /// Loads a scenario by name, or by path when `name` ends in .yaml/.yml.
    public func load(_ name: String) throws(ScenarioError) -> Scenario {
        if name.hasSuffix(".yaml") || name.hasSuffix(".yml") { return try ScenarioLoader.load(path: name) }
        let path = path(of: name)
        guard FileManager.default.fileExists(atPath: path) else {
            let known = (try? names()) ?? []
            var message = "no scenario named '\(name)'"
            if let s = suggestion(for: name, among: known) { message += " (did you mean '\(s)'?)" }
            throw ScenarioError(file: directory, line: nil, keyPath: "", message: message + "; `cowlab list` shows them")
        }
        return try ScenarioLoader.load(path: path)
    }
}
