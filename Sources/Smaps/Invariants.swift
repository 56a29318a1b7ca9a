// Accounting identities every mapping of a sane kernel satisfies.

/// A broken accounting identity in one mapping.
public struct InvariantViolation: Sendable, Equatable, CustomStringConvertible {
    /// The mapping's start address.
    public var start: UInt64
    public var pathname: String
    /// The rule, e.g. `Pss <= Rss`.
    public var rule: String
    /// The numbers, e.g. `Pss 12 kB > Rss 8 kB`.
    public var detail: String

    public var description: String {
        let name = pathname.isEmpty ? "" : " \(pathname)"
        return "\(String(start, radix: 16))\(name): \(rule) fails: \(detail)"
    }
}

/// One identity. Each is checked only when all its fields are present, so
/// files from kernels without, say, Pss are not reported for it.
internal struct InvariantRule: Sendable {
    enum Relation: Sendable { case equal, atMost }
    var left: [String]
    var relation: Relation
    var right: String

    var name: String {
        left.joined(separator: " + ") + (relation == .equal ? " = " : " <= ") + right
    }
}

extension Mapping {
    /// The identities checked by `invariantViolations()`.
    ///
    /// Rss is the sum of the four Shared/Private Clean/Dirty counters (each
    /// resident page is counted in exactly one); every page-count field is a
    /// subset of the resident pages; Pss divides each page among its mappers
    /// so it cannot exceed Rss; the anonymous subsets nest.
    internal static let rules: [InvariantRule] = [
        InvariantRule(left: ["Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty"], relation: .equal, right: "Rss"),
        InvariantRule(left: ["Rss"], relation: .atMost, right: "Size"),
        InvariantRule(left: ["Pss"], relation: .atMost, right: "Rss"),
        InvariantRule(left: ["Pss_Dirty"], relation: .atMost, right: "Pss"),
        InvariantRule(left: ["Pss_Anon", "Pss_File", "Pss_Shmem"], relation: .atMost, right: "Pss"),
        InvariantRule(left: ["Shared_Clean", "Shared_Dirty"], relation: .atMost, right: "Rss"),
        InvariantRule(left: ["Private_Clean", "Private_Dirty"], relation: .atMost, right: "Rss"),
        InvariantRule(left: ["Referenced"], relation: .atMost, right: "Rss"),
        InvariantRule(left: ["Anonymous"], relation: .atMost, right: "Rss"),
        InvariantRule(left: ["AnonHugePages"], relation: .atMost, right: "Anonymous"),
        InvariantRule(left: ["LazyFree"], relation: .atMost, right: "Anonymous"),
        InvariantRule(left: ["Locked"], relation: .atMost, right: "Rss"),
        InvariantRule(left: ["SwapPss"], relation: .atMost, right: "Swap"),
    ]

    /// The identities this mapping breaks (empty for a sane one). Never traps.
    ///
    /// Besides the field rules, `Size` must equal `(end - start) / 1024`, except
    /// that `[stack]` may exceed it by one guard page: kernels from 2.6.36 to
    /// 4.11 hid the stack guard page from the address range but not from Size.
    public func invariantViolations() -> [InvariantViolation] {
        var found: [InvariantViolation] = []
        func report(_ rule: String, _ detail: String) {
            found.append(InvariantViolation(start: start, pathname: pathname, rule: rule, detail: detail))
        }
        if !isRollup, let size = kilobytes("Size") {
            let range = sizeBytes / 1024
            let pageKB = kilobytes("KernelPageSize") ?? 4
            let guardPage = pathname == "[stack]" && size > range && size - range == pageKB
            if size != range && !guardPage {
                report("Size = (end - start) / 1024", "Size \(size) kB, range \(range) kB")
            }
        }
        for rule in Mapping.rules {
            guard let right = kilobytes(rule.right) else { continue }
            var sum: UInt64 = 0
            var overflow = false
            var parts: [String] = []
            var complete = true
            for name in rule.left {
                guard let v = kilobytes(name) else { complete = false; break }
                let (s, o) = sum.addingReportingOverflow(v)
                sum = s
                overflow = overflow || o
                parts.append("\(name) \(v)")
            }
            guard complete else { continue }
            let holds = !overflow && (rule.relation == .equal ? sum == right : sum <= right)
            if !holds {
                let lhs = parts.count == 1 ? parts[0] + " kB" : parts.joined(separator: " + ") + " = \(sum) kB"
                let op = rule.relation == .equal ? "!=" : ">"
                report(rule.name, "\(lhs) \(op) \(rule.right) \(right) kB")
            }
        }
        return found
    }
}

extension SmapsSnapshot {
    /// The identities broken by any mapping, in file order.
    public func invariantViolations() -> [InvariantViolation] {
        mappings.flatMap { $0.invariantViolations() }
    }
}
