/// A syntax error in an expression, with the 0-based column where it was found.
public struct ExpressionSyntaxError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var column: Int
    public var description: String { message }
}

/// Hand-written recursive-descent parser for `SizeExpression` and `Condition`.
/// Inputs are short (one YAML scalar), so it works on an array of Unicode scalars.
public struct ExpressionParser {
    private let chars: [Unicode.Scalar]
    private var pos = 0

    /// Field names the expression may mention; anything else that looks like
    /// a name is refused, so a typo is caught at load time.
    private let knownFields: Set<String>

    public init(_ text: String, knownFields: Set<String>) {
        self.chars = Array(text.unicodeScalars)
        self.knownFields = knownFields
    }

    public static func expression(_ text: String, knownFields: Set<String> = SmapsFieldNames.all) throws(ExpressionSyntaxError) -> SizeExpression {
        var p = ExpressionParser(text, knownFields: knownFields)
        let e = try p.parseExpression()
        p.skipSpace()
        guard p.atEnd else { throw p.error("unexpected '\(p.rest)'") }
        return e
    }

    public static func condition(_ text: String, knownFields: Set<String> = SmapsFieldNames.all) throws(ExpressionSyntaxError) -> Condition {
        var p = ExpressionParser(text, knownFields: knownFields)
        return try p.parseCondition()
    }

    // MARK: Condition

    mutating func parseCondition() throws(ExpressionSyntaxError) -> Condition {
        skipSpace()
        let comparison = parseComparison() ?? .equal
        let expected = try parseExpression()
        skipSpace()
        var tolerance: Condition.Tolerance?
        if consume("±") || consume("+-") || consume("+/-") {
            skipSpace()
            let start = pos
            if let n = parseNumberLiteral() {
                skipSpace()
                if consume("%") {
                    tolerance = .percent(n)
                } else {
                    pos = start
                    tolerance = .absolute(try parseExpression())
                }
            } else {
                tolerance = .absolute(try parseExpression())
            }
            skipSpace()
        }
        guard atEnd else { throw error("unexpected '\(rest)'") }
        if comparison == .approximately && tolerance == nil {
            throw error("'≈' needs a tolerance, e.g. '~ $size ± 2 pages' or '~ Rss / 2 ± 5%'")
        }
        return Condition(comparison, expected, tolerance: tolerance)
    }

    private mutating func parseComparison() -> Condition.Comparison? {
        let table: [(String, Condition.Comparison)] = [
            ("<=", .lessOrEqual), (">=", .greaterOrEqual), ("==", .equal),
            ("≤", .lessOrEqual), ("≥", .greaterOrEqual), ("≈", .approximately), ("~", .approximately),
            ("<", .less), (">", .greater), ("=", .equal),
        ]
        for (token, c) in table where consume(token) {
            skipSpace()
            return c
        }
        return nil
    }

    // MARK: Expression

    mutating func parseExpression() throws(ExpressionSyntaxError) -> SizeExpression {
        var lhs = try parseTerm()
        while true {
            skipSpace()
            // '+-' and '+/-' start a tolerance, not an addition.
            if peek("+-") || peek("+/-") { return lhs }
            if consume("+") { lhs = .binary(.add, lhs, try parseTerm()) }
            else if consume("-") { lhs = .binary(.subtract, lhs, try parseTerm()) }
            else { return lhs }
        }
    }

    private mutating func parseTerm() throws(ExpressionSyntaxError) -> SizeExpression {
        var lhs = try parseFactor()
        while true {
            skipSpace()
            if consume("*") || consume("×") { lhs = .binary(.multiply, lhs, try parseFactor()) }
            else if consume("/") { lhs = .binary(.divide, lhs, try parseFactor()) }
            else { return lhs }
        }
    }

    private mutating func parseFactor() throws(ExpressionSyntaxError) -> SizeExpression {
        skipSpace()
        guard let c = current else { throw error("expression ends too early") }
        if c == "(" {
            pos += 1
            let e = try parseExpression()
            skipSpace()
            guard consume(")") else { throw error("missing ')'") }
            return e
        }
        if c == "-" {
            pos += 1
            return .negate(try parseFactor())
        }
        if c == "$" {
            pos += 1
            let name = parseName(allowDash: true)
            guard !name.isEmpty else { throw error("'$' must be followed by a parameter name") }
            return .parameter(name)
        }
        if let n = parseNumberLiteral() {
            let save = pos
            skipSpace()
            let unitStart = pos
            let word = parseName(allowDash: false)
            if !word.isEmpty {
                if let unit = SizeUnit(rawValue: word) { return .size(n, unit) }
                if let unit = SizeUnit.allCases.first(where: { $0.rawValue.lowercased() == word.lowercased() }) {
                    pos = unitStart
                    throw error("unknown unit '\(word)' (did you mean '\(unit.rawValue)'?)")
                }
                pos = unitStart
                throw error("unknown unit '\(word)'; use B, KiB, MiB, GiB, kB, page or pages")
            }
            pos = save
            return .number(n)
        }
        if c.properties.isAlphabetic {
            let start = pos
            let name = parseName(allowDash: false)
            if let function = SizeExpression.Function(rawValue: name) {
                skipSpace()
                guard consume("(") else { throw error("\(name) needs its values in parentheses, e.g. \(name)($a, $b)") }
                var args = [try parseExpression()]
                skipSpace()
                while consume(",") {
                    args.append(try parseExpression())
                    skipSpace()
                }
                guard consume(")") else { throw error("missing ')' after the values of \(name)") }
                return .call(function, args)
            }
            guard knownFields.contains(name) else {
                pos = start
                throw error("unknown field '\(name)'")
            }
            return .field(name)
        }
        throw error("unexpected '\(rest)'")
    }

    // MARK: Lexing helpers

    private var atEnd: Bool { pos >= chars.count }
    private var current: Unicode.Scalar? { atEnd ? nil : chars[pos] }
    private var rest: String { String(String.UnicodeScalarView(chars[pos...])) }

    private mutating func skipSpace() {
        while let c = current, c.properties.isWhitespace { pos += 1 }
    }

    private func peek(_ token: String) -> Bool {
        let t = Array(token.unicodeScalars)
        guard pos + t.count <= chars.count else { return false }
        return Array(chars[pos..<pos + t.count]) == t
    }

    private mutating func consume(_ token: String) -> Bool {
        guard peek(token) else { return false }
        pos += token.unicodeScalars.count
        return true
    }

    private mutating func parseName(allowDash: Bool) -> String {
        var s = String.UnicodeScalarView()
        while let c = current, c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "_" || (allowDash && c == "-" && !s.isEmpty) {
            s.append(c)
            pos += 1
        }
        return String(s)
    }

    private mutating func parseNumberLiteral() -> Double? {
        let start = pos
        while let c = current, ("0"..."9").contains(c) { pos += 1 }
        if current == ".", pos + 1 < chars.count, ("0"..."9").contains(chars[pos + 1]) {
            pos += 1
            while let c = current, ("0"..."9").contains(c) { pos += 1 }
        }
        guard pos > start else { return nil }
        return Double(String(String.UnicodeScalarView(chars[start..<pos])))
    }

    private func error(_ message: String) -> ExpressionSyntaxError {
        ExpressionSyntaxError(message: message, column: pos)
    }
}
