import CowLab

/// What `cowlab run --repeat N` found for one scenario: its verdict in every
/// repeat, and every expectation whose verdict was not the same in all of them.
public struct RepeatSummary: Equatable, Sendable {
    public struct Flip: Equatable, Sendable {
        /// The expectation, described as JUnit names it.
        public var expectation: String
        /// Its verdict in each repeat; nil where that repeat did not evaluate it.
        public var verdicts: [Verdict?]
    }

    public var scenario: String
    public var verdicts: [Verdict]
    public var flips: [Flip]

    /// True when the scenario's verdict, or any expectation's, differs between repeats.
    public var flipped: Bool { Set(verdicts).count > 1 || !flips.isEmpty }

    public init(scenario: String, runs: [RunRecord]) {
        self.scenario = scenario
        self.verdicts = runs.map(\.verdict)
        // Key each result by its description (plus a counter for repeats of one
        // description), in order of first appearance.
        var order: [String] = []
        var table: [String: [Verdict?]] = [:]
        for (i, run) in runs.enumerated() {
            var seen: [String: Int] = [:]
            for e in run.expectations {
                let base = ReportText.describe(e)
                seen[base, default: 0] += 1
                let key = seen[base]! == 1 ? base : "\(base) [\(seen[base]!)]"
                if table[key] == nil {
                    order.append(key)
                    table[key] = Array(repeating: nil, count: runs.count)
                }
                table[key]![i] = e.verdict
            }
        }
        self.flips = order.compactMap { key in
            let v = table[key]!
            return Set(v.map { $0?.rawValue ?? "-" }).count > 1 ? Flip(expectation: key, verdicts: v) : nil
        }
    }

    /// `fork-write: pass ×5` or `fork-write: FLIPS: pass ×4, fail ×1` followed by
    /// one line per flipping expectation.
    public var lines: [String] {
        var counts: [(Verdict, Int)] = []
        for v in verdicts {
            if let i = counts.firstIndex(where: { $0.0 == v }) { counts[i].1 += 1 } else { counts.append((v, 1)) }
        }
        let tally = counts.map { "\($0.0.rawValue) ×\($0.1)" }.joined(separator: ", ")
        var out = ["\(scenario): \(flipped ? "FLIPS: " : "")\(tally) in \(verdicts.count) \(verdicts.count == 1 ? "run" : "runs")"]
        for f in flips {
            out.append("  \(f.expectation): " + f.verdicts.map { $0?.rawValue ?? "not evaluated" }.joined(separator: ", "))
        }
        return out
    }
}
