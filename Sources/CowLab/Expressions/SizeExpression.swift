/// An arithmetic expression over sizes, parameters and smaps fields:
/// `64KiB`, `16 pages`, `$size + 2 pages`, `Rss / 2`.
///
/// Grammar (whitespace is free):
///
///     expr   := term (('+' | '-') term)*
///     term   := factor (('*' | '/') factor)*
///     factor := NUMBER UNIT? | '$' NAME | FIELD | '(' expr ')' | '-' factor
///             | ('max' | 'min') '(' expr (',' expr)* ')'
///     UNIT   := B | KiB | MiB | GiB | kB | KB | MB | GB | K | M | G | page | pages
///
/// A number without a unit is a scalar; a field or a number with a unit is a size.
/// `max` and `min` take values of one dimension (a 0 fits either), e.g.
/// `max($fault_around, $chunk)`: "the fault-around window or one folio, whichever is larger".
public indirect enum SizeExpression: Sendable, Equatable {
    case number(Double)
    case size(Double, SizeUnit)
    case parameter(String)
    case field(String)
    case negate(SizeExpression)
    case binary(Operator, SizeExpression, SizeExpression)
    case call(Function, [SizeExpression])

    public enum Operator: String, Sendable { case add = "+", subtract = "-", multiply = "*", divide = "/" }
    public enum Function: String, Sendable, CaseIterable { case max, min }

    /// Every field the expression reads.
    public var fields: [String] {
        switch self {
        case .number, .size, .parameter: return []
        case .field(let f): return [f]
        case .negate(let e): return e.fields
        case .binary(_, let l, let r): return l.fields + r.fields
        case .call(_, let args): return args.flatMap(\.fields)
        }
    }

    /// Every `$parameter` the expression reads.
    public var parameters: [String] {
        switch self {
        case .number, .size, .field: return []
        case .parameter(let p): return [p]
        case .negate(let e): return e.parameters
        case .binary(_, let l, let r): return l.parameters + r.parameters
        case .call(_, let args): return args.flatMap(\.parameters)
        }
    }
}

/// What an expression needs from the run to produce a value.
public struct EvaluationContext {
    public var pageSize: Int
    public var parameter: (String) -> Quantity?
    public var field: (String) -> Quantity?

    public init(pageSize: Int, parameter: @escaping (String) -> Quantity? = { _ in nil },
                field: @escaping (String) -> Quantity? = { _ in nil }) {
        self.pageSize = pageSize
        self.parameter = parameter
        self.field = field
    }
}

/// A failure to evaluate: a missing value or a dimension mismatch.
public struct EvaluationError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension SizeExpression {
    public func evaluate(in context: EvaluationContext) throws(EvaluationError) -> Quantity {
        switch self {
        case .number(let v):
            return Quantity(scalar: v)
        case .size(let v, let unit):
            return Quantity(bytes: v * unit.bytes(pageSize: context.pageSize))
        case .parameter(let name):
            guard let q = context.parameter(name) else { throw EvaluationError(message: "unknown parameter $\(name)") }
            return q
        case .field(let name):
            guard let q = context.field(name) else { throw EvaluationError(message: "no value for field \(name)") }
            return q
        case .negate(let e):
            var q = try e.evaluate(in: context)
            q.value = -q.value
            return q
        case .binary(let op, let l, let r):
            let a = try l.evaluate(in: context)
            let b = try r.evaluate(in: context)
            switch op {
            case .add, .subtract:
                // 0 is dimensionless-compatible: `Rss + 0` is fine.
                guard a.dimension == b.dimension || a.value == 0 || b.value == 0 else {
                    throw EvaluationError(message: "cannot \(op == .add ? "add" : "subtract") a size and a plain number in \(self); give the number a unit (B, KiB, pages)")
                }
                let dim: Quantity.Dimension = (a.isSize || b.isSize) ? .bytes : .scalar
                let v = op == .add ? a.value + b.value : a.value - b.value
                return Quantity(value: v, dimension: dim)
            case .multiply:
                guard !(a.isSize && b.isSize) else {
                    throw EvaluationError(message: "cannot multiply two sizes in \(self)")
                }
                return Quantity(value: a.value * b.value, dimension: (a.isSize || b.isSize) ? .bytes : .scalar)
            case .divide:
                guard b.value != 0 else { throw EvaluationError(message: "division by zero in \(self)") }
                guard !(b.isSize && !a.isSize) else {
                    throw EvaluationError(message: "cannot divide a plain number by a size in \(self)")
                }
                let dim: Quantity.Dimension = (a.isSize && !b.isSize) ? .bytes : .scalar
                return Quantity(value: a.value / b.value, dimension: dim)
            }
        case .call(let function, let args):
            var values: [Quantity] = []
            for arg in args { values.append(try arg.evaluate(in: context)) }
            guard let first = values.first else { throw EvaluationError(message: "\(function.rawValue)() needs at least one value") }
            let sizes = values.contains { $0.isSize }
            guard !sizes || values.allSatisfy({ $0.isSize || $0.value == 0 }) else {
                throw EvaluationError(message: "\(function.rawValue) mixes sizes and plain numbers in \(self); give the numbers a unit")
            }
            let pick = values.dropFirst().reduce(first.value) { function == .max ? Swift.max($0, $1.value) : Swift.min($0, $1.value) }
            return Quantity(value: pick, dimension: sizes ? .bytes : .scalar)
        }
    }
}

extension Quantity {
    init(value: Double, dimension: Dimension) { self.value = value; self.dimension = dimension }
}

extension SizeExpression: CustomStringConvertible {
    public var description: String {
        switch self {
        case .number(let v): return Quantity.trim(v)
        case .size(let v, let u): return u == .page || u == .pages ? "\(Quantity.trim(v)) \(v == 1 ? "page" : "pages")" : "\(Quantity.trim(v))\(u.rawValue)"
        case .parameter(let p): return "$\(p)"
        case .field(let f): return f
        case .negate(let e): return "-\(e)"
        case .binary(let op, let l, let r):
            let ls = l.needsParens(in: op, right: false) ? "(\(l))" : "\(l)"
            let rs = r.needsParens(in: op, right: true) ? "(\(r))" : "\(r)"
            return "\(ls) \(op.rawValue) \(rs)"
        case .call(let f, let args): return "\(f.rawValue)(" + args.map(\.description).joined(separator: ", ") + ")"
        }
    }

    private func needsParens(in parent: Operator, right: Bool) -> Bool {
        guard case .binary(let op, _, _) = self else { return false }
        let lowParent = parent == .add || parent == .subtract
        let low = op == .add || op == .subtract
        if low && !lowParent { return true }
        if right && (parent == .subtract || parent == .divide) && (low == lowParent) { return true }
        return false
    }
}
