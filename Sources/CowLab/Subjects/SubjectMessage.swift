/// One request to a subject: an op and `key=value` arguments, sent as one line
/// `op key=value key=value` (docs/subject-protocol.md). Values must not contain spaces;
/// the subject rejects malformed lines with `err ... errno=EINVAL`.
public struct SubjectRequest: Sendable, CustomStringConvertible {
    public var op: String
    public var arguments: [(key: String, value: String)]

    public init(_ op: String, _ args: KeyValuePairs<String, String> = [:]) {
        self.op = op
        self.arguments = args.map { (key: $0.key, value: $0.value) }
    }

    public init(op: String, arguments: [(key: String, value: String)]) {
        self.op = op
        self.arguments = arguments
    }

    /// The value of the first argument named `key`.
    public subscript(key: String) -> String? {
        arguments.first { $0.key == key }?.value
    }

    /// The text sent on the control socket.
    public var wire: String {
        var text = op
        for (key, value) in arguments {
            text += " \(key)=\(value)"
        }
        return text
    }

    public var description: String { wire }
}

/// The `key=value` fields of an `ok` reply.
public struct SubjectReply: Sendable, CustomStringConvertible {
    public var fields: [String: String]

    public init(fields: [String: String] = [:]) {
        self.fields = fields
    }

    public subscript(key: String) -> String? { fields[key] }

    /// A field as an unsigned number: decimal, or hexadecimal with a `0x` prefix
    /// (addresses). Nil when absent or not a number that fits.
    public func uint64(_ key: String) -> UInt64? {
        guard let text = fields[key] else { return nil }
        if text.hasPrefix("0x") { return UInt64(text.dropFirst(2), radix: 16) }
        return UInt64(text, radix: 10)
    }

    /// A field as a signed decimal number.
    public func int64(_ key: String) -> Int64? {
        fields[key].flatMap { Int64($0, radix: 10) }
    }

    public var description: String {
        (["ok"] + fields.keys.sorted().map { "\($0)=\(fields[$0]!)" }).joined(separator: " ")
    }
}

/// A parsed message from a subject: its first word (`ok`, `err`, `hello`) and its fields.
struct SubjectMessage: Equatable {
    var word: String
    var fields: [String: String]

    /// Splits `word key=value key=value`; nil when a token has no `=`, a key is empty or
    /// repeated, or the line is empty.
    static func parse(_ text: Substring) -> SubjectMessage? {
        let tokens = text.split(separator: " ", omittingEmptySubsequences: false)
        guard let first = tokens.first, !first.isEmpty else { return nil }
        var fields: [String: String] = [:]
        for token in tokens.dropFirst() {
            guard let eq = token.firstIndex(of: "="), eq != token.startIndex else { return nil }
            let key = String(token[..<eq])
            guard fields[key] == nil else { return nil }
            fields[key] = String(token[token.index(after: eq)...])
        }
        return SubjectMessage(word: String(first), fields: fields)
    }
}
