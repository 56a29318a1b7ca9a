import ArgumentParser
import CowLab

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the scenarios in the catalogue.")

    @Option(name: .long, help: "The scenario directory (default: the built-in catalogue).")
    var scenarios: String?

    func run() throws {
        let catalogue = try orExit { () throws(ScenarioError) in try Catalogue.locate(explicit: scenarios) }
        for name in try orExit({ () throws(ScenarioError) in try catalogue.names() }) {
            do {
                let s = try catalogue.load(name)
                print("\(name.padding(toLength: max(24, name.count + 2), withPad: " ", startingAt: 0))\(s.title)")
            } catch {
                print("\(name.padding(toLength: max(24, name.count + 2), withPad: " ", startingAt: 0))(invalid: \(error))")
            }
        }
    }
}

/// Prints a scenario error as one line and exits with the scenario-error code.
func orExit<T>(_ body: () throws(ScenarioError) -> T) throws -> T {
    do {
        return try body()
    } catch {
        printError("cowlab: \(error)")
        throw Exit.scenarioError
    }
}

func printError(_ line: String) {
    var stderr = StandardError()
    print(line, to: &stderr)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        var rest = Array(string.utf8)[...]
        while !rest.isEmpty {
            let n = rest.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            rest = rest.dropFirst(n)
        }
    }
}

import Glibc
