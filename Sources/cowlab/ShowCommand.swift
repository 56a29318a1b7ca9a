import ArgumentParser
import CowLab

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Validate a scenario and show its steps, parameters and expectations.")

    @Argument(help: "A scenario name from `cowlab list`, or a path to a .yaml file.")
    var name: String

    @Option(name: .long, help: "The scenario directory (default: the built-in catalogue).")
    var scenarios: String?

    func run() throws {
        let s = try orExit { () throws(ScenarioError) in try Catalogue.locate(explicit: scenarios).load(name) }
        print(ScenarioDescription.render(s))
    }
}
