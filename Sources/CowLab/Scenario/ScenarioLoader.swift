import Foundation
import Yams

/// Reads scenario files strictly: unknown keys, bad sizes, undefined regions,
/// processes or labels are refused with file, line and key path.
public enum ScenarioLoader {
    public static let supportedVersion = 1

    public static func load(path: String) throws(ScenarioError) -> Scenario {
        let display = displayPath(path)
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let why = FileManager.default.fileExists(atPath: path) ? "cannot be read as UTF-8 text" : "no such file"
            throw ScenarioError(file: display, line: nil, keyPath: "", message: why)
        }
        return try parse(text, file: display)
    }

    public static func parse(_ text: String, file: String) throws(ScenarioError) -> Scenario {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ScenarioError(file: file, line: nil, keyPath: "", message: "the file is empty")
            }
            root = node
        } catch let e as ScenarioError {
            throw e
        } catch let e as YamlError {
            throw yamlError(e, file: file)
        } catch {
            throw ScenarioError(file: file, line: nil, keyPath: "", message: "not valid YAML: \(error)")
        }
        var builder = ScenarioBuilder(file: file)
        return try builder.build(YAMLValue(node: root, file: file, path: ""))
    }

    static func yamlError(_ e: YamlError, file: String) -> ScenarioError {
        switch e {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return ScenarioError(file: file, line: mark.line, keyPath: "", message: "not valid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return ScenarioError(file: file, line: context.mark.line, keyPath: "", message: "duplicate key \(keys) in one mapping")
        default:
            let first = "\(e)".split(separator: "\n").first.map(String.init) ?? "\(e)"
            return ScenarioError(file: file, line: nil, keyPath: "", message: "not valid YAML: \(first)")
        }
    }

    /// Paths inside the working directory are shown relative to it.
    static func displayPath(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        if path.hasPrefix(cwd + "/") { return String(path.dropFirst(cwd.count + 1)) }
        return path
    }
}

/// The state a step sequence leaves behind, tracked while loading so that a
/// step or expectation naming a process or region that does not exist at that
/// point is refused before anything runs.
private struct WorldState {
    var processes: [String] = []
    var regions: [String: [String]] = [:]   // process -> regions
    var files: Set<String> = []

    func has(_ process: String) -> Bool { processes.contains(process) }
    func has(region: String, in process: String) -> Bool { regions[process, default: []].contains(region) }
}

/// The parameters expressions mention, noted as they are parsed (a class, so
/// the builder's non-mutating helpers can note them too).
private final class ReferenceLog {
    var names: [String] = []
    func note(_ parameters: [String]) {
        for p in parameters where !names.contains(p) { names.append(p) }
    }
}

private struct ScenarioBuilder {
    let file: String
    var states: [String: WorldState] = [:]   // label -> state after it
    var labelOrder: [String] = []
    let references = ReferenceLog()

    init(file: String) { self.file = file }

    static let topKeys = ["version", "name", "title", "source", "question", "params", "requires", "subjects",
                          "steps", "expect", "document", "explain"]

    mutating func build(_ root: YAMLValue) throws(ScenarioError) -> Scenario {
        let m = try root.mapping()
        try m.allowOnly(Self.topKeys)
        let version = try m.required("version").integer(in: 0...1_000)
        guard version == ScenarioLoader.supportedVersion else {
            throw try m.required("version").fail("unsupported version \(version); this cowlab reads version \(ScenarioLoader.supportedVersion)")
        }
        let name = try m.required("name").name()
        let expectedName = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        if file.hasSuffix(".yaml") || file.hasSuffix(".yml"), expectedName != name {
            throw try m.required("name").fail("name '\(name)' does not match the file name '\(expectedName)'")
        }
        let title = try m.required("title").nonEmptyString()
        let source = try parseSource(try m.required("source"))
        let question = try m["question"]?.nonEmptyString() ?? title
        let explanation = try m["explain"]?.nonEmptyString() ?? ""
        let params = try parseParameters(m["params"])
        let requirements = try parseRequirements(m["requires"])
        let subjects = try m["subjects"]?.names() ?? ["parent"]
        if let dup = firstDuplicate(subjects) { throw try m.required("subjects").fail("'\(dup)' is listed twice") }

        // Scenario parameters, and the machine's read-only ones ($fault_around).
        let paramNames = Set(params.map(\.name)).union(MachineParameters.names)
        var world = WorldState()
        world.processes = subjects
        states[Scenario.startLabel] = world
        labelOrder = [Scenario.startLabel]

        let stepsNode = try m.required("steps")
        let stepItems = try stepsNode.items()
        guard !stepItems.isEmpty else { throw stepsNode.fail("a scenario needs at least one step") }
        var steps: [Step] = []
        for (i, item) in stepItems.enumerated() {
            let step = try parseStep(item, index: i, world: &world, params: paramNames)
            steps.append(step)
            states[step.label] = world
            labelOrder.append(step.label)
        }

        var expectations: [Expectation] = []
        if let e = m["expect"] {
            for (i, item) in try e.items().enumerated() {
                expectations.append(try parseExpectation(item, index: i, params: paramNames))
            }
        }
        var claims: [DocumentClaim] = []
        if let d = m["document"] {
            for item in try d.items() { claims += try parseClaims(item) }
        }
        return Scenario(file: file, name: name, title: title, source: source, question: question,
                        parameters: params, requirements: requirements, subjects: subjects, steps: steps,
                        expectations: expectations, document: claims, explanation: explanation,
                        machineParameters: references.names.filter { MachineParameters.names.contains($0) })
    }

    // MARK: Header parts

    func parseSource(_ v: YAMLValue) throws(ScenarioError) -> Scenario.Source {
        if case .scalar = v.node { return .init(document: try v.nonEmptyString(), section: nil, url: nil) }
        let m = try v.mapping()
        try m.allowOnly(["document", "section", "url"])
        return .init(document: try m.required("document").nonEmptyString(),
                     section: try m["section"]?.nonEmptyString(), url: try m["url"]?.nonEmptyString())
    }

    func parseParameters(_ v: YAMLValue?) throws(ScenarioError) -> [Scenario.Parameter] {
        guard let v else { return [] }
        let m = try v.mapping()
        var result: [Scenario.Parameter] = []
        for (key, value) in m.pairs {
            guard !key.isEmpty, key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
                throw value.fail("'\(key)' is not a valid parameter name")
            }
            if let machine = MachineParameters.definition(key) {
                throw value.fail("'\(key)' is a machine parameter (\(machine.help)); it is read-only, choose another name")
            }
            var text: String
            var help: String?
            if case .mapping = value.node {
                let pm = try value.mapping()
                try pm.allowOnly(["default", "help"])
                text = try pm.required("default").nonEmptyString()
                help = try pm["help"]?.nonEmptyString()
            } else {
                text = try value.nonEmptyString()
            }
            let expr = try expression(text, at: value, allowFields: false, params: [])
            result.append(.init(name: key, defaultValue: expr, text: text, help: help, line: value.line ?? 0))
        }
        return result
    }

    func parseRequirements(_ v: YAMLValue?) throws(ScenarioError) -> [Requirement] {
        guard let v else { return [] }
        let m = try v.mapping()
        try m.allowOnly(["swap", "root", "thp", "kernel", "writable", "data-fs"])
        var r: [Requirement] = []
        if let s = m["swap"], try s.bool() { r.append(.swap) }
        if let s = m["root"], try s.bool() { r.append(.root) }
        if let t = m["thp"] {
            let modes = try t.names()
            for mode in modes where !["always", "madvise", "never"].contains(mode) {
                throw t.fail("unknown THP mode '\(mode)' (always, madvise or never)")
            }
            r.append(.thp(modes: modes))
        }
        if let k = m["kernel"] {
            var s = try k.nonEmptyString()
            if s.hasPrefix(">=") { s = String(s.dropFirst(2)).trimmingCharacters(in: .whitespaces) }
            let parts = s.split(separator: ".").map { Int($0) }
            guard !parts.isEmpty, parts.count <= 3, parts.allSatisfy({ $0 != nil }) else {
                throw k.fail("expected a kernel version such as '>= 5.8', found '\(s)'")
            }
            r.append(.kernel(atLeast: parts.map { $0! }))
        }
        if let w = m["writable"] { r.append(.writableDirectory(try w.nonEmptyString())) }
        if let f = m["data-fs"] {
            r.append(.dataFileSystem(try f.names()))   // names() refuses an empty list
        }
        return r
    }

    // MARK: Steps

    static let stepCommonKeys = ["as", "in", "do", "why"]
    static let stepKeys: [String: [String]] = [
        "malloc": ["region", "size"],
        "free": ["region"],
        "mmap": ["region", "size", "map", "prot", "file", "populate", "offset", "align"],
        "fill": ["region", "byte", "offset", "length"],
        "touch": ["region", "offset", "length", "pages"],
        "check": ["region", "byte", "offset", "length"],
        "copy": ["from", "to"],
        "madvise": ["region", "advice", "offset", "length"],
        "msync": ["region", "flags"],
        "munmap": ["region"], "mlock": ["region"], "munlock": ["region"],
        "fork": ["child"],
        "spawn": [],
        "exit": ["code"],
        "create-file": ["file", "size", "chunk", "byte", "fsync", "on", "sparse"],
        "clear-refs": ["value"],
    ]
    static let advices = ["dontneed", "dontfork", "dofork", "wipeonfork", "keeponfork", "hugepage", "nohugepage",
                          "willneed", "cold", "pageout", "free", "populate_read", "populate_write"]

    mutating func parseStep(_ v: YAMLValue, index: Int, world: inout WorldState, params: Set<String>) throws(ScenarioError) -> Step {
        let m = try v.mapping()
        let opValue = try m.required("do")
        let op = try opValue.nonEmptyString()
        guard let keys = Self.stepKeys[op] else {
            var message = "unknown operation '\(op)'"
            if let s = suggestion(for: op, among: Self.stepKeys.keys.sorted()) { message += " (did you mean '\(s)'?)" }
            throw opValue.fail(message + "; known: " + Self.stepKeys.keys.sorted().joined(separator: ", "))
        }
        try m.allowOnly(Self.stepCommonKeys + keys)
        let label = try m["as"]?.name() ?? "step-\(index + 1)"
        if states[label] != nil {
            throw (m["as"] ?? v).fail(label == Scenario.startLabel ? "'start' is the label before the first step; choose another" : "duplicate label '\(label)'")
        }
        let observerSide = op == "create-file"
        var process: String?
        if let p = m["in"] {
            let name = try p.name()
            if op == "spawn" {
                if world.has(name) { throw p.fail("process '\(name)' already exists") }
            } else if !world.has(name) {
                let known = world.processes.isEmpty ? "none" : world.processes.joined(separator: ", ")
                throw p.fail("no live process '\(name)' at this step (live: \(known))")
            }
            process = name
        } else if !observerSide {
            throw v.fail("missing key 'in' (the process that performs the step)")
        }

        func region(_ key: String = "region", mustExist: Bool) throws(ScenarioError) -> String {
            let r = try m.required(key)
            let name = try r.name()
            let p = process!
            if mustExist && !world.has(region: name, in: p) {
                let known = world.regions[p, default: []]
                throw r.fail("process '\(p)' has no region '\(name)' at this step (regions: \(known.isEmpty ? "none" : known.joined(separator: ", ")))")
            }
            if !mustExist && world.has(region: name, in: p) {
                throw r.fail("process '\(p)' already has a region '\(name)'")
            }
            return name
        }
        func size(_ key: String, required: Bool = true) throws(ScenarioError) -> SizeExpression? {
            guard let s = required ? try m.required(key) : m[key] else { return nil }
            let e = try expression(try s.nonEmptyString(), at: s, allowFields: false, params: params)
            if case .number(let n) = e, n != 0 { throw s.fail("'\(n)' has no unit; write it as B, KiB, MiB or pages") }
            if e.parameters.isEmpty, let q = try? e.evaluate(in: EvaluationContext(pageSize: 4096)), q.value < 0 {
                throw s.fail("size '\(e)' is negative")
            }
            return e
        }
        func byte() throws(ScenarioError) -> Int { try m.required("byte").integer(in: 0...255) }
        func range() throws(ScenarioError) -> ByteRange { ByteRange(offset: try size("offset", required: false), length: try size("length", required: false)) }

        let operation: Operation
        switch op {
        case "malloc":
            let r = try region(mustExist: false)
            operation = .malloc(region: r, size: try size("size")!)
            world.regions[process!, default: []].append(r)
        case "mmap":
            let r = try region(mustExist: false)
            let sharing: MapSharing
            switch try m.required("map").string() {
            case "shared": sharing = .shared
            case "private": sharing = .private
            case let s: throw try m.required("map").fail("expected shared or private, found '\(s)'")
            }
            var prot = Protection.rw
            if let p = m["prot"] {
                guard let v = Protection(rawValue: try p.string()) else { throw p.fail("expected r or rw") }
                prot = v
            }
            var fileName: String?
            if let f = m["file"] {
                let n = try f.name()
                guard world.files.contains(n) else { throw f.fail("no file '\(n)' was created by an earlier create-file step") }
                fileName = n
            }
            let populate = try m["populate"]?.bool() ?? false
            operation = .mmap(region: r, size: try size("size")!, sharing: sharing, protection: prot, file: fileName,
                              populate: populate, offset: try size("offset", required: false), align: try size("align", required: false))
            world.regions[process!, default: []].append(r)
        case "free", "munmap":
            let r = try region(mustExist: true)
            operation = op == "free" ? .free(region: r) : .munmap(region: r)
            world.regions[process!]?.removeAll { $0 == r }
        case "fill": operation = .fill(region: try region(mustExist: true), byte: try byte(), range: try range())
        case "check": operation = .check(region: try region(mustExist: true), byte: try byte(), range: try range())
        case "copy":
            let from = try region("from", mustExist: true)
            let to = try region("to", mustExist: true)
            guard from != to else { throw try m.required("to").fail("copy needs two different regions") }
            operation = .copy(from: from, to: to)
        case "touch":
            var every = true
            if let p = m["pages"] {
                switch try p.string() {
                case "every": every = true
                case "one": every = false
                case let s: throw p.fail("expected every or one, found '\(s)'")
                }
            }
            operation = .touch(region: try region(mustExist: true), range: try range(), everyPage: every)
        case "madvise":
            let a = try m.required("advice")
            let advice = try a.string()
            guard Self.advices.contains(advice) else {
                throw a.fail("unknown advice '\(advice)'; known: \(Self.advices.joined(separator: ", "))")
            }
            operation = .madvise(region: try region(mustExist: true), advice: advice, range: try range())
        case "msync":
            var flags = "sync"
            if let f = m["flags"] {
                flags = try f.string()
                guard ["sync", "async", "invalidate"].contains(flags) else { throw f.fail("expected sync, async or invalidate") }
            }
            operation = .msync(region: try region(mustExist: true), flags: flags)
        case "mlock": operation = .mlock(region: try region(mustExist: true))
        case "munlock": operation = .munlock(region: try region(mustExist: true))
        case "fork":
            let c = try m.required("child")
            let child = try c.name()
            guard !world.has(child) else { throw c.fail("process '\(child)' already exists") }
            operation = .fork(child: child)
            world.processes.append(child)
            world.regions[child] = world.regions[process!]
        case "spawn":
            operation = .spawn
            world.processes.append(process!)
            world.regions[process!] = []
        case "exit":
            operation = .exit(code: try m["code"]?.integer(in: 0...255) ?? 0)
            world.processes.removeAll { $0 == process! }
            world.regions[process!] = nil
        case "create-file":
            let f = try m.required("file")
            let name = try f.name()
            guard !world.files.contains(name) else { throw f.fail("file '\(name)' already exists") }
            var dir = FileDirectory.data
            if let on = m["on"] {
                guard let d = FileDirectory(rawValue: try on.string()) else { throw on.fail("expected data or shm") }
                dir = d
            }
            let sparse = try m["sparse"]?.bool() ?? false
            if sparse, let written = ["chunk", "byte"].first(where: { m[$0] != nil }) {
                throw m[written]!.fail("a sparse file is made with ftruncate and has no data; '\(written)' applies to written files only")
            }
            operation = .createFile(file: name, size: try size("size")!, chunk: try size("chunk", required: false) ?? .size(1, .mib),
                                    byte: try m["byte"]?.integer(in: 0...255) ?? 0, fsync: try m["fsync"]?.bool() ?? true,
                                    directory: dir, sparse: sparse)
            world.files.insert(name)
        case "clear-refs":
            operation = .clearRefs(value: try m["value"]?.integer(in: 1...5) ?? 1)
        default:
            throw opValue.fail("unknown operation '\(op)'")
        }
        return Step(index: index, label: label, process: process, operation: operation, line: v.line ?? 0,
                    why: try m["why"]?.nonEmptyString())
    }

    // MARK: Expectations

    static let expectationKeys = ["at", "in", "region", "mapping", "whole", "absent", "present", "why", "change", "shift", "frames"]

    func parseScope(_ m: MappingReader, owner: YAMLValue) throws(ScenarioError) -> Scope {
        let given = ["region", "mapping", "whole"].filter { m[$0] != nil }
        guard given.count <= 1 else { throw owner.fail("give one of region, mapping or whole, not \(given.joined(separator: " and "))") }
        if let r = m["region"] { return .region(try r.name()) }
        if let p = m["mapping"] { return .mapping(try p.nonEmptyString()) }
        if let w = m["whole"] {
            guard try w.bool() else { throw w.fail("whole: false means nothing; leave it out and name a region or mapping") }
            return .whole
        }
        throw owner.fail("missing key 'region' (or 'mapping' or 'whole')")
    }

    func label(_ v: YAMLValue) throws(ScenarioError) -> String {
        let l = try v.name()
        guard states[l] != nil else {
            var message = "no step is labelled '\(l)'"
            if let s = suggestion(for: l, among: labelOrder) { message += " (did you mean '\(s)'?)" }
            throw v.fail(message + "; labels: " + labelOrder.joined(separator: ", "))
        }
        return l
    }

    /// Checks that every process (and region) exists at a label.
    func checkAlive(_ processes: [String], scope: Scope, at label: String, _ where_: YAMLValue) throws(ScenarioError) {
        let state = states[label]!
        for p in processes {
            guard state.has(p) else {
                throw where_.fail("process '\(p)' is not alive at '\(label)' (live: \(state.processes.joined(separator: ", ")))")
            }
            if case .region(let r) = scope, !state.has(region: r, in: p) {
                throw where_.fail("process '\(p)' has no region '\(r)' at '\(label)'")
            }
        }
    }

    func fieldConditions(_ m: MappingReader, params: Set<String>) throws(ScenarioError) -> [FieldCondition] {
        try m.pairs.filter { SmapsFieldNames.all.contains($0.0) }.map { (key, value) throws(ScenarioError) in
            try fieldCondition(key, value, knownFields: SmapsFieldNames.all, params: params)
        }
    }

    /// One `Field: "condition"` entry, with its parameters checked and noted.
    func fieldCondition(_ key: String, _ value: YAMLValue, knownFields: Set<String>, params: Set<String>) throws(ScenarioError) -> FieldCondition {
        let text = try value.nonEmptyString()
        let c: Condition
        do {
            c = try ExpressionParser.condition(text, knownFields: knownFields)
        } catch {
            throw value.fail("\(error.message) in '\(text)'")
        }
        for p in c.parameters where !params.contains(p) { throw value.fail("unknown parameter $\(p)") }
        references.note(c.parameters)
        return FieldCondition(field: key, condition: c, text: text)
    }

    func parseExpectation(_ v: YAMLValue, index: Int, params: Set<String>) throws(ScenarioError) -> Expectation {
        let m = try v.mapping()
        if let c = m["change"] { return try parseChange(v, m, c, index: index, params: params) }
        if let s = m["shift"] { return try parseShift(v, m, s, index: index, params: params) }
        if let f = m["frames"] { return try parseFrames(v, m, f, index: index, params: params) }
        try m.allowOnly(["at", "in", "region", "mapping", "whole", "absent", "present", "why"],
                        alsoAllowed: { SmapsFieldNames.all.contains($0) }, hintsFrom: SmapsFieldNames.ordered + Self.expectationKeys)
        let atV = try m.required("at")
        let at = try label(atV)
        let inV = try m.required("in")
        let processes = try inV.names()
        let scope = try parseScope(m, owner: v)
        try checkAlive(processes, scope: scope, at: at, inV)
        let why = try m["why"]?.nonEmptyString()
        let conditions = try fieldConditions(m, params: params)
        if m["absent"] != nil || m["present"] != nil {
            guard case .mapping = scope else { throw v.fail("absent/present apply to a mapping name such as '[heap]'") }
            let present: Bool
            if let p = m["present"] { present = try p.bool() } else { present = !(try m["absent"]!.bool()) }
            return Expectation(index: index, line: v.line ?? 0, kind: .presence(at: at, present: present), processes: processes,
                               scope: scope, conditions: conditions, why: why)
        }
        guard !conditions.isEmpty else { throw v.fail("the expectation checks nothing: add a field such as 'Rss: \">= $size\"'") }
        return Expectation(index: index, line: v.line ?? 0, kind: .state(at: at), processes: processes, scope: scope,
                           conditions: conditions, why: why)
    }

    func parseChange(_ v: YAMLValue, _ outer: MappingReader, _ c: YAMLValue, index: Int, params: Set<String>) throws(ScenarioError) -> Expectation {
        try outer.allowOnly(["change", "why"], alsoAllowed: { SmapsFieldNames.all.contains($0) }, hintsFrom: SmapsFieldNames.ordered)
        let m = try c.mapping()
        try m.allowOnly(["in", "region", "mapping", "whole", "from", "to"])
        let processes = try m.required("in").names()
        let scope = try parseScope(m, owner: c)
        let from = try label(try m.required("from"))
        let to = try label(try m.required("to"))
        guard labelOrder.firstIndex(of: from)! < labelOrder.firstIndex(of: to)! else {
            throw try m.required("to").fail("'\(to)' does not come after '\(from)'")
        }
        try checkAlive(processes, scope: scope, at: from, try m.required("from"))
        try checkAlive(processes, scope: scope, at: to, try m.required("to"))
        let conditions = try fieldConditions(outer, params: params)
        guard !conditions.isEmpty else { throw v.fail("the change checks nothing: add a field such as 'Rss: \"~ $size ± 1 page\"'") }
        return Expectation(index: index, line: v.line ?? 0, kind: .change(from: from, to: to), processes: processes,
                           scope: scope, conditions: conditions, why: try outer["why"]?.nonEmptyString())
    }

    func parseShift(_ v: YAMLValue, _ outer: MappingReader, _ s: YAMLValue, index: Int, params: Set<String>) throws(ScenarioError) -> Expectation {
        try outer.allowOnly(["shift", "why"])
        let m = try s.mapping()
        try m.allowOnly(["in", "region", "mapping", "whole", "between", "from", "to", "amount"])
        let processes = try m.required("in").names()
        let scope = try parseScope(m, owner: s)
        let between = try m.required("between")
        let items = try between.items()
        guard items.count == 2 else { throw between.fail("expected two labels, e.g. [forked, written]") }
        let a = try label(items[0]), b = try label(items[1])
        guard labelOrder.firstIndex(of: a)! < labelOrder.firstIndex(of: b)! else { throw items[1].fail("'\(b)' does not come after '\(a)'") }
        try checkAlive(processes, scope: scope, at: a, items[0])
        try checkAlive(processes, scope: scope, at: b, items[1])
        func field(_ key: String) throws(ScenarioError) -> String {
            let f = try m.required(key)
            let name = try f.string()
            guard SmapsFieldNames.all.contains(name) else {
                var message = "unknown smaps field '\(name)'"
                if let s = suggestion(for: name, among: SmapsFieldNames.ordered) { message += " (did you mean '\(s)'?)" }
                throw f.fail(message)
            }
            return name
        }
        let fromField = try field("from"), toField = try field("to")
        let amountV = try m.required("amount")
        let text = try amountV.nonEmptyString()
        let amount: Condition
        do {
            amount = try ExpressionParser.condition(text)
        } catch {
            throw amountV.fail("\(error.message) in '\(text)'")
        }
        for p in amount.parameters where !params.contains(p) { throw amountV.fail("unknown parameter $\(p)") }
        references.note(amount.parameters)
        return Expectation(index: index, line: v.line ?? 0,
                           kind: .shift(from: a, to: b, fromField: fromField, toField: toField, amount: amount, amountText: text),
                           processes: processes, scope: scope, conditions: [], why: try outer["why"]?.nonEmptyString())
    }

    func parseFrames(_ v: YAMLValue, _ outer: MappingReader, _ f: YAMLValue, index: Int, params: Set<String>) throws(ScenarioError) -> Expectation {
        try outer.allowOnly(["frames", "why"] + Expectation.frameFields)
        let m = try f.mapping()
        try m.allowOnly(["at", "region", "between"])
        let atV = try m.required("at")
        let at = try label(atV)
        let regionV = try m.required("region")
        let region = try regionV.name()
        let between = try m.required("between")
        let items = try between.items()
        guard items.count == 2 else { throw between.fail("expected two processes, e.g. [parent, child]") }
        let first = try items[0].name(), second = try items[1].name()
        guard first != second else { throw items[1].fail("join two different processes") }
        try checkAlive([first, second], scope: .region(region), at: at, between)
        let conditions = try outer.pairs.filter { Expectation.frameFields.contains($0.0) }.map { (key, value) throws(ScenarioError) in
            try fieldCondition(key, value, knownFields: Set(Expectation.frameFields), params: params)
        }
        guard !conditions.isEmpty else { throw v.fail("the frames expectation checks nothing: add e.g. 'copied: \"= $size\"'") }
        return Expectation(index: index, line: v.line ?? 0, kind: .frames(at: at, first: first, second: second),
                           processes: [first, second], scope: .region(region), conditions: conditions,
                           why: try outer["why"]?.nonEmptyString())
    }

    // MARK: Document claims

    func parseClaims(_ v: YAMLValue) throws(ScenarioError) -> [DocumentClaim] {
        let m = try v.mapping()
        try m.allowOnly(["at", "in", "region", "mapping", "whole", "note"], alsoAllowed: { SmapsFieldNames.all.contains($0) },
                        hintsFrom: SmapsFieldNames.ordered)
        let at = try label(try m.required("at"))
        let inV = try m.required("in")
        let processes = try inV.names()
        let scope = try parseScope(m, owner: v)
        try checkAlive(processes, scope: scope, at: at, inV)
        let note = try m["note"]?.nonEmptyString()
        var claims: [DocumentClaim] = []
        for (key, value) in m.pairs where SmapsFieldNames.all.contains(key) {
            let text = try value.nonEmptyString()
            let e = try expression(text, at: value, allowFields: false, params: [])
            for p in processes {
                claims.append(DocumentClaim(label: at, process: p, scope: scope, field: key, value: e, text: text, note: note))
            }
        }
        guard !claims.isEmpty else { throw v.fail("the document entry gives no field values") }
        return claims
    }

    // MARK: Helpers

    func expression(_ text: String, at v: YAMLValue, allowFields: Bool, params: Set<String>) throws(ScenarioError) -> SizeExpression {
        let e: SizeExpression
        do {
            e = try ExpressionParser.expression(text, knownFields: allowFields ? SmapsFieldNames.all : [])
        } catch {
            throw v.fail("bad size '\(text)': \(error.message)")
        }
        for p in e.parameters where !params.contains(p) {
            throw v.fail(params.isEmpty ? "parameters cannot be used here ('$\(p)')" : "unknown parameter $\(p) (parameters: \(params.sorted().joined(separator: ", ")))")
        }
        references.note(e.parameters)
        return e
    }

    func firstDuplicate(_ names: [String]) -> String? {
        var seen = Set<String>()
        return names.first { !seen.insert($0).inserted }
    }
}
