import Yams

/// A YAML node together with where it is (file, line, key path), so every
/// complaint about it can name its place. Strict by construction: a mapping
/// read through `MappingReader` refuses keys nobody asked for.
struct YAMLValue {
    let node: Node
    let file: String
    let path: String

    var line: Int? { node.mark?.line }

    func fail(_ message: String) -> ScenarioError {
        ScenarioError(file: file, line: line, keyPath: path, message: message)
    }

    func string() throws(ScenarioError) -> String {
        guard case .scalar(let s) = node else { throw fail("expected a single value, found \(kind)") }
        return s.string
    }

    func nonEmptyString() throws(ScenarioError) -> String {
        let s = try string().trimmingCharacters(in: .whitespacesAndNewlines)
        guard !s.isEmpty else { throw fail("must not be empty") }
        return s
    }

    /// A name for a region, process, label or file: letters, digits, '-' and '_', at most 31 characters.
    func name() throws(ScenarioError) -> String {
        let s = try nonEmptyString()
        guard s.count <= 31, s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw fail("'\(s)' is not a valid name (letters, digits, '-' and '_', at most 31 characters)")
        }
        return s
    }

    func bool() throws(ScenarioError) -> Bool {
        switch try string().lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        case let s: throw fail("expected true or false, found '\(s)'")
        }
    }

    func integer(in range: ClosedRange<Int>) throws(ScenarioError) -> Int {
        let s = try string()
        let v: Int?
        if s.hasPrefix("0x") || s.hasPrefix("0X") { v = Int(s.dropFirst(2), radix: 16) } else { v = Int(s) }
        guard let v, range.contains(v) else {
            throw fail("expected a whole number from \(range.lowerBound) to \(range.upperBound), found '\(s)'")
        }
        return v
    }

    func names() throws(ScenarioError) -> [String] {
        if case .sequence(let seq) = node {
            guard !seq.isEmpty else { throw fail("must list at least one name") }
            return try seq.enumerated().map { (i, n) throws(ScenarioError) in
                try YAMLValue(node: n, file: file, path: "\(path)[\(i)]").name()
            }
        }
        return [try name()]
    }

    func items() throws(ScenarioError) -> [YAMLValue] {
        guard case .sequence(let seq) = node else { throw fail("expected a list, found \(kind)") }
        return seq.enumerated().map { YAMLValue(node: $1, file: file, path: "\(path)[\($0)]") }
    }

    func mapping() throws(ScenarioError) -> MappingReader {
        guard case .mapping(let m) = node else { throw fail("expected a mapping of keys, found \(kind)") }
        var pairs: [(String, YAMLValue)] = []
        var seen = Set<String>()
        for (k, v) in m {
            guard case .scalar(let ks) = k else {
                throw ScenarioError(file: file, line: k.mark?.line, keyPath: path, message: "keys must be plain names")
            }
            let key = ks.string
            let childPath = path.isEmpty ? key : "\(path).\(key)"
            guard seen.insert(key).inserted else {
                throw ScenarioError(file: file, line: k.mark?.line, keyPath: childPath, message: "duplicate key")
            }
            pairs.append((key, YAMLValue(node: v, file: file, path: childPath)))
        }
        return MappingReader(owner: self, pairs: pairs)
    }

    var kind: String {
        switch node {
        case .scalar: return "a single value"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}

struct MappingReader {
    let owner: YAMLValue
    let pairs: [(String, YAMLValue)]

    var keys: [String] { pairs.map(\.0) }

    subscript(_ key: String) -> YAMLValue? { pairs.first { $0.0 == key }?.1 }

    func required(_ key: String) throws(ScenarioError) -> YAMLValue {
        guard let v = self[key] else { throw owner.fail("missing key '\(key)'") }
        return v
    }

    /// Refuses the first key not in `allowed` (nor accepted by `alsoAllowed`), naming its line.
    func allowOnly(_ allowed: [String], alsoAllowed: (String) -> Bool = { _ in false }, hintsFrom extra: [String] = []) throws(ScenarioError) {
        for (key, value) in pairs where !allowed.contains(key) && !alsoAllowed(key) {
            var message = "unknown key"
            if let s = suggestion(for: key, among: allowed + extra) { message += " (did you mean '\(s)'?)" }
            let keyLine: Int? = {
                if case .mapping(let m) = owner.node, let k = m.first(where: { $0.key.string == key })?.key { return k.mark?.line }
                return value.line
            }()
            throw ScenarioError(file: owner.file, line: keyLine, keyPath: value.path, message: message)
        }
    }
}

import Foundation
