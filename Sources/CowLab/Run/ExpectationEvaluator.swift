/// Checks a scenario's expectations against the snapshots of a run.
/// A pure function of the scenario, the record and the resolved parameters,
/// so it is tested without starting any process.
public struct ExpectationEvaluator {
    public let scenario: Scenario
    public let snapshots: [SnapshotRecord]
    public let pageSize: Int
    public let parameters: [String: Quantity]

    public init(scenario: Scenario, snapshots: [SnapshotRecord], pageSize: Int, parameters: [String: Quantity]) {
        self.scenario = scenario
        self.snapshots = snapshots
        self.pageSize = pageSize
        self.parameters = parameters
    }

    /// The fields (in bytes) of a scope in a process at a label, or nil when
    /// that label was never reached or the process was not alive then.
    public func fields(at label: String, process: String, scope: Scope) -> [String: Double]? {
        guard let snap = snapshots.first(where: { $0.label == label }), let p = snap.process(process) else { return nil }
        let kB: [[String: UInt64]]
        switch scope {
        case .region(let r):
            guard let region = p.region(r) else { return nil }
            kB = [region.kB]
        case .mapping(let name):
            kB = p.mappings.filter { $0.pathname == name }.map(\.kB)
        case .whole:
            kB = p.mappings.map(\.kB)
        }
        var sum: [String: Double] = [:]
        for name in SmapsFieldNames.ordered where name != "KernelPageSize" && name != "MMUPageSize" {
            sum[name] = 0
        }
        for m in kB {
            for (k, v) in m where k != "KernelPageSize" && k != "MMUPageSize" { sum[k, default: 0] += Double(v) * 1024 }
        }
        return sum
    }

    public func isPresent(mapping name: String, at label: String, process: String) -> Bool? {
        guard let snap = snapshots.first(where: { $0.label == label }), let p = snap.process(process) else { return nil }
        return p.mappings.contains { $0.pathname == name }
    }

    func context(fields: [String: Double]?) -> EvaluationContext {
        EvaluationContext(pageSize: pageSize, parameter: { parameters[$0] },
                          field: { name in fields?[name].map { Quantity(bytes: $0) } })
    }

    func show(_ bytes: Double) -> String { Quantity.formatBytes(bytes, pageSize: pageSize) }
    func showDelta(_ bytes: Double) -> String { (bytes >= 0 ? "+" : "−") + show(abs(bytes)) }

    public func evaluate() -> [ExpectationResult] {
        var results: [ExpectationResult] = []
        for e in scenario.expectations {
            if case .frames(let at, let first, let second) = e.kind {
                results += evaluateFrames(e, at: at, first: first, second: second)
                continue
            }
            for p in e.processes { results += evaluate(e, process: p) }
        }
        return results
    }

    /// Frame-join counts as sizes (pages × page size), keyed by the names scenarios use.
    public func frameFields(at label: String, region: String, first: String, second: String) -> (fields: [String: Double], mode: String)? {
        guard let snap = snapshots.first(where: { $0.label == label }), let j = snap.join(region, first, second) else { return nil }
        let page = Double(pageSize)
        return (["shared": Double(j.shared) * page, "copied": Double(j.copied) * page, "only_first": Double(j.onlyFirst) * page,
                 "only_second": Double(j.onlySecond) * page, "absent": Double(j.absent) * page], j.mode)
    }

    func evaluateFrames(_ e: Expectation, at: String, first: String, second: String) -> [ExpectationResult] {
        let pair = "\(first)/\(second)"
        guard let (f, mode) = frameFields(at: at, region: e.scope.description, first: first, second: second) else {
            return e.conditions.map {
                var r = base(e, process: pair, kind: "frames", labels: [at], field: $0.field, condition: $0.text)
                r.sentence = notReached([at], process: pair)
                return r
            }
        }
        guard mode == "frames" else {
            return e.conditions.map {
                var r = base(e, process: pair, kind: "frames", labels: [at], field: $0.field, condition: $0.text)
                r.observed = f[$0.field]
                r.sentence = "skipped: frame numbers are hidden, this check needs root (CAP_SYS_ADMIN); "
                    + "inferred from pagemap's exclusive bits, \($0.field) is \(show(f[$0.field] ?? 0))."
                return r
            }
        }
        return e.conditions.map { fc in
            var r = check(fc, observed: f[fc.field] ?? 0, fields: f, e: e, process: pair, labels: [at], kind: "frames")
            r.sentence = "\(pair) \(e.scope) frames at \(at): \(fc.field) \(show(f[fc.field] ?? 0)) "
                + "(\(Int((f[fc.field] ?? 0) / Double(pageSize))) pages), expected \(fc.text): \(r.verdict == .pass ? "holds" : "does not hold")."
            return r
        }
    }

    func base(_ e: Expectation, process: String, kind: String, labels: [String], field: String?, condition: String) -> ExpectationResult {
        ExpectationResult(expectation: e.index, line: e.line, kind: kind, process: process, scope: e.scope.description,
                          labels: labels, field: field, condition: condition, observed: nil, expected: nil,
                          verdict: .skip, sentence: "", why: e.why)
    }

    func notReached(_ labels: [String], process: String) -> String {
        "not measured: \(process) has no snapshot at \(labels.joined(separator: " or ")) (the run stopped before it)"
    }

    func evaluate(_ e: Expectation, process: String) -> [ExpectationResult] {
        switch e.kind {
        case .presence(let at, let present):
            var r = base(e, process: process, kind: "presence", labels: [at], field: nil,
                         condition: present ? "present" : "absent")
            guard let isThere = isPresent(mapping: e.scope.description, at: at, process: process) else {
                r.sentence = notReached([at], process: process)
                return [r]
            }
            r.verdict = isThere == present ? .pass : .fail
            r.sentence = "\(process) at \(at): \(e.scope) is \(isThere ? "present" : "absent"), expected \(present ? "present" : "absent")."
            var results = [r]
            if isThere, let f = fields(at: at, process: process, scope: e.scope) {
                results += e.conditions.map { check($0, observed: f[$0.field] ?? 0, fields: f, e: e, process: process, labels: [at], kind: "state") }
            }
            return results

        case .state(let at):
            guard let f = fields(at: at, process: process, scope: e.scope) else {
                return e.conditions.map {
                    var r = base(e, process: process, kind: "state", labels: [at], field: $0.field, condition: $0.text)
                    r.sentence = notReached([at], process: process)
                    return r
                }
            }
            return e.conditions.map { check($0, observed: f[$0.field] ?? 0, fields: f, e: e, process: process, labels: [at], kind: "state") }

        case .change(let from, let to):
            guard let a = fields(at: from, process: process, scope: e.scope), let b = fields(at: to, process: process, scope: e.scope) else {
                return e.conditions.map {
                    var r = base(e, process: process, kind: "change", labels: [from, to], field: $0.field, condition: $0.text)
                    r.sentence = notReached([from, to], process: process)
                    return r
                }
            }
            var delta: [String: Double] = [:]
            for (k, v) in b { delta[k] = v - (a[k] ?? 0) }
            return e.conditions.map { check($0, observed: delta[$0.field] ?? 0, fields: delta, e: e, process: process, labels: [from, to], kind: "change") }

        case .frames(let at, let first, let second):
            // Frame joins are per pair, not per process: `evaluate()` calls this once per expectation.
            return process == e.processes.first ? evaluateFrames(e, at: at, first: first, second: second) : []

        case .shift(let from, let to, let fromField, let toField, let amount, let amountText):
            var r = base(e, process: process, kind: "shift", labels: [from, to], field: "\(fromField) → \(toField)", condition: amountText)
            guard let a = fields(at: from, process: process, scope: e.scope), let b = fields(at: to, process: process, scope: e.scope) else {
                r.sentence = notReached([from, to], process: process)
                return [r]
            }
            let fell = (a[fromField] ?? 0) - (b[fromField] ?? 0)
            let rose = (b[toField] ?? 0) - (a[toField] ?? 0)
            do {
                let ctx = context(fields: b)
                let o1 = try amount.check(Quantity(bytes: fell), in: ctx)
                let o2 = try amount.check(Quantity(bytes: rose), in: ctx)
                r.observed = min(fell, rose)
                r.expected = o1.expected.value
                r.verdict = o1.holds && o2.holds ? .pass : .fail
                let want = describe(amount, outcome: o1)
                r.sentence = "\(process) \(e.scope) from \(from) to \(to): \(fromField) \(showDelta(-fell)), \(toField) \(showDelta(rose)); "
                    + "each should move \(want): \(r.verdict == .pass ? "holds" : "does not hold")."
            } catch {
                r.verdict = .error
                r.sentence = "cannot evaluate '\(amountText)': \(error.message)"
            }
            return [r]
        }
    }

    func describe(_ c: Condition, outcome: Condition.Outcome) -> String {
        let want = outcome.expected.isSize ? show(outcome.expected.value) : Quantity.trim(outcome.expected.value)
        if let band = outcome.band {
            return "≈ \(want) (\(show(band.lowerBound)) to \(show(band.upperBound)))"
        }
        var s = "\(c.comparison.rawValue) \(want)"
        if let t = c.tolerance { s += " \(t)" }
        return s
    }

    func check(_ fc: FieldCondition, observed: Double, fields: [String: Double], e: Expectation, process: String,
               labels: [String], kind: String) -> ExpectationResult {
        var r = base(e, process: process, kind: kind, labels: labels, field: fc.field, condition: fc.text)
        r.observed = observed
        do {
            let outcome = try fc.condition.check(Quantity(bytes: observed), in: context(fields: fields))
            r.expected = outcome.expected.value
            r.verdict = outcome.holds ? .pass : .fail
            let where_ = kind == "change" ? "from \(labels[0]) to \(labels[1])" : "at \(labels[0])"
            let value = kind == "change" ? showDelta(observed) : show(observed)
            let written = fc.condition.expected.fields.isEmpty && fc.condition.expected.parameters.isEmpty
                ? "" : " (\(fc.text))"
            r.sentence = "\(process) \(e.scope) \(fc.field) \(where_): \(value), expected \(describe(fc.condition, outcome: outcome))\(written): "
                + (outcome.holds ? "holds." : "does not hold.")
        } catch {
            r.verdict = .error
            r.sentence = "cannot evaluate '\(fc.text)': \(error.message)"
        }
        return r
    }

    /// The document's printed numbers beside ours.
    public func claims() -> [ClaimResult] {
        scenario.document.map { c in
            let doc = (try? c.value.evaluate(in: EvaluationContext(pageSize: pageSize)).value) ?? 0
            let measured = fields(at: c.label, process: c.process, scope: c.scope)?[c.field]
            return ClaimResult(label: c.label, process: c.process, scope: c.scope.description, field: c.field,
                               documentText: c.text, documentBytes: doc, measuredBytes: measured, note: c.note)
        }
    }
}
