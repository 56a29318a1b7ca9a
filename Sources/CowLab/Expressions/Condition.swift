/// A condition on one observed value: `>= $size`, `~ Rss / 2 ± 1 page`,
/// `<= 2 pages`, `= 0`, `~ $size ± 5%`.
public struct Condition: Sendable, Equatable, CustomStringConvertible {
    public enum Comparison: String, Sendable, Equatable {
        case equal = "="
        case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
        case approximately = "≈"
    }

    public enum Tolerance: Sendable, Equatable, CustomStringConvertible {
        case absolute(SizeExpression)
        case percent(Double)

        public var description: String {
            switch self {
            case .absolute(let e): return "± \(e)"
            case .percent(let p): return "± \(Quantity.trim(p))%"
            }
        }
    }

    public var comparison: Comparison
    public var expected: SizeExpression
    public var tolerance: Tolerance?

    public init(_ comparison: Comparison, _ expected: SizeExpression, tolerance: Tolerance? = nil) {
        self.comparison = comparison
        self.expected = expected
        self.tolerance = tolerance
    }

    /// Every `$parameter` the condition reads, in its value and its tolerance.
    public var parameters: [String] {
        if case .absolute(let t) = tolerance { return expected.parameters + t.parameters }
        return expected.parameters
    }

    public var description: String {
        var s = "\(comparison.rawValue) \(expected)"
        if let t = tolerance { s += " \(t)" }
        return s
    }

    /// The outcome of checking one observed value.
    public struct Outcome: Sendable, Equatable {
        public var holds: Bool
        public var expected: Quantity
        /// The allowed band for ≈ and tolerant =, in the expected value's unit.
        public var band: ClosedRange<Double>?
    }

    public func check(_ observed: Quantity, in context: EvaluationContext) throws(EvaluationError) -> Outcome {
        let want = try expected.evaluate(in: context)
        if observed.dimension != want.dimension && want.value != 0 {
            throw EvaluationError(message: "compares a \(observed.isSize ? "size" : "plain number") with \(want.isSize ? "a size" : "a plain number") (\(expected)); give numbers a unit")
        }
        let slack: Double
        switch tolerance {
        case .none: slack = 0
        case .percent(let p): slack = abs(want.value) * p / 100
        case .absolute(let e):
            let t = try e.evaluate(in: context)
            if !t.isSize && observed.isSize && t.value != 0 {
                throw EvaluationError(message: "tolerance \(e) has no unit; write it in B, KiB or pages, or as a percentage")
            }
            slack = abs(t.value)
        }
        let o = observed.value, w = want.value
        let band = (w - slack)...(w + slack)
        let holds: Bool
        switch comparison {
        case .equal, .approximately: holds = band.contains(o)
        case .less: holds = o < w + slack
        case .lessOrEqual: holds = o <= w + slack
        case .greater: holds = o > w - slack
        case .greaterOrEqual: holds = o >= w - slack
        }
        let showBand = (comparison == .equal || comparison == .approximately) && slack > 0
        return Outcome(holds: holds, expected: want, band: showBand ? band : nil)
    }
}
