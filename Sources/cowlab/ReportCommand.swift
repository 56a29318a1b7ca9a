import ArgumentParser
import CowLab
import Foundation
import Reports

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Re-render lab reports from saved run records (NAME.json).",
        discussion: """
        Reads run records written by `cowlab run` and writes NAME.md with its pictures (NAME-LABEL.svg, \
        NAME-timeline.svg, NAME-LABEL.frames.svg), byte for byte what `cowlab run` wrote from the same record. --format junit also \
        writes NAME.junit.xml; --index writes README.md (the suite index) for all the records given, in order.
        """
    )

    @Argument(help: "Run records written by `cowlab run`.")
    var records: [String]

    @Option(name: .long, help: "Where the reports go (default: beside each record).")
    var out: String?

    @Option(name: .long, help: ArgumentHelp("Report formats, comma-separated: md (with its SVG pictures), json, junit.", valueName: "formats"))
    var format = "md"

    @Flag(name: .long, help: "Also write the suite index README.md (and junit.xml with --format junit) for all the records.")
    var index = false

    func validate() throws {
        if records.isEmpty { throw ValidationError("name at least one run record (NAME.json)") }
        if index && out == nil && Set(records.map { ($0 as NSString).deletingLastPathComponent }).count > 1 {
            throw ValidationError("--index with records from several directories needs --out")
        }
        do { _ = try ReportFormat.parseList(format) } catch { throw ValidationError("--format: \(error)") }
    }

    func run() throws {
        let formats = try ReportFormat.parseList(format)
        var loaded: [RunRecord] = []
        var indexDirectory = "."
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
            let parent = (path as NSString).deletingLastPathComponent
            let dir = out ?? (parent.isEmpty ? "." : parent)
            indexDirectory = dir
            let writer = ReportWriter(directory: dir, formats: formats)
            do {
                try writer.prepare()
                for written in try writer.write(record) { print(written) }
            } catch {
                printError("cowlab: cannot write the report of \(path) into \(dir): \(error.localizedDescription)")
                throw Exit.runError
            }
            loaded.append(record)
        }
        if index {
            do {
                for written in try ReportWriter(directory: indexDirectory, formats: formats).writeSuite(loaded) { print(written) }
            } catch {
                printError("cowlab: cannot write the index into \(indexDirectory): \(error.localizedDescription)")
                throw Exit.runError
            }
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
