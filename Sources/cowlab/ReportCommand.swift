import ArgumentParser
import CowLab
import Foundation
import Reports

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Re-render lab reports from saved run records (NAME.json).")

    @Argument(help: "Run records written by `cowlab run`.")
    var records: [String]

    @Option(name: .long, help: "Where the reports go (default: beside each record).")
    var out: String?

    func run() throws {
        for path in records {
            let record: RunRecord
            do {
                record = try JSONReport.decode(try Data(contentsOf: URL(fileURLWithPath: path)))
            } catch let e as DecodingError {
                printError("cowlab: \(path): not a cowlab run record (\(describe(e)))")
                throw Exit.inputError
            } catch {
                printError("cowlab: \(path): \(error.localizedDescription)")
                throw Exit.inputError
            }
            let dir = out ?? (path as NSString).deletingLastPathComponent
            let md = ((dir.isEmpty ? "." : dir) as NSString).appendingPathComponent("\(record.scenario.name).md")
            do {
                try FileManager.default.createDirectory(atPath: dir.isEmpty ? "." : dir, withIntermediateDirectories: true)
                try Data(MarkdownReport.render(record).utf8).write(to: URL(fileURLWithPath: md), options: .atomic)
            } catch {
                printError("cowlab: cannot write \(md): \(error.localizedDescription)")
                throw Exit.runError
            }
            print(md)
        }
    }

    func describe(_ e: DecodingError) -> String {
        switch e {
        case .keyNotFound(let key, let ctx): return "missing \((ctx.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
        case .typeMismatch(_, let ctx), .valueNotFound(_, let ctx), .dataCorrupted(let ctx):
            let path = ctx.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? ctx.debugDescription : "\(path): \(ctx.debugDescription)"
        @unknown default: return "\(e)"
        }
    }
}
