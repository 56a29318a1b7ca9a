import CowLab

/// Something a report tabulates and draws: a region the subject reported, a
/// mapping named by pathname, or the whole process.
struct ReportScope: Equatable, Sendable {
    enum Kind: Equatable, Sendable { case region, mapping, whole }

    var kind: Kind
    /// The region name, the mapping's pathname, or "whole process".
    var name: String

    /// How a table or chart names it: `buf`, `[heap]`, `whole process`.
    var plain: String { name }
    /// The same, as markdown.
    var markdown: String { kind == .whole ? name : "`\(name)`" }
}

/// The measurements of a record arranged for reports: which scopes, which
/// processes, which labels, and each one's fields. Every order here comes from
/// the record's arrays (never from dictionary iteration), so the same record is
/// always arranged the same way.
struct ReportMeasurements {
    let record: RunRecord
    /// Regions in order of first appearance, then the mappings and whole-process
    /// scopes that expectations or document claims name.
    let scopes: [ReportScope]
    /// Processes in order of first appearance.
    let processes: [String]

    /// The fields a region-level chart stacks, in drawing order; they add up to Rss.
    static let residentParts = ["Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty"]

    init(_ record: RunRecord) {
        self.record = record
        var scopes: [ReportScope] = []
        var processes: [String] = []
        for s in record.snapshots {
            for p in s.processes {
                if !processes.contains(p.name) { processes.append(p.name) }
                for r in p.regions where !scopes.contains(where: { $0.kind == .region && $0.name == r.name }) {
                    scopes.append(ReportScope(kind: .region, name: r.name))
                }
            }
        }
        let regionNames = Set(scopes.map(\.name))
        let named = record.expectations.filter { $0.kind != "content" }.map(\.scope) + record.document.map(\.scope)
        for name in named where !regionNames.contains(name) && !scopes.contains(where: { $0.name == name }) {
            scopes.append(ReportScope(kind: name == "whole process" ? .whole : .mapping, name: name))
        }
        self.scopes = scopes
        self.processes = processes
    }

    /// The kB fields of a scope in one process snapshot, or nil when the scope
    /// is not there (the region does not exist yet, no mapping has that name).
    func values(_ scope: ReportScope, in p: ProcessSnapshot) -> [String: UInt64]? {
        switch scope.kind {
        case .region:
            return p.region(scope.name)?.kB
        case .mapping:
            let ms = p.mappings.filter { $0.pathname == scope.name }
            return ms.isEmpty ? nil : Self.sum(ms.map(\.kB))
        case .whole:
            return Self.sum(p.mappings.map(\.kB))
        }
    }

    /// The mappings a scope covers in one process snapshot, as `[heap] rw-p`.
    func mappingText(_ scope: ReportScope, in p: ProcessSnapshot) -> String {
        switch scope.kind {
        case .region:
            guard let r = p.region(scope.name) else { return "" }
            let parts = r.mappingIndexes.compactMap { i -> String? in
                guard p.mappings.indices.contains(i) else { return nil }
                let m = p.mappings[i]
                return (m.pathname.isEmpty ? "anon" : m.pathname) + " " + m.permissions
            }
            return parts.isEmpty ? "not mapped" : parts.joined(separator: ", ")
        case .mapping:
            let n = p.mappings.filter { $0.pathname == scope.name }.count
            return n == 1 ? "1 mapping" : "\(n) mappings"
        case .whole:
            return "\(p.mappings.count) mappings"
        }
    }

    static func sum(_ list: [[String: UInt64]]) -> [String: UInt64] {
        var total: [String: UInt64] = [:]
        for kB in list {
            for (k, v) in kB where k != "KernelPageSize" && k != "MMUPageSize" { total[k, default: 0] &+= v }
        }
        return total
    }

    /// True when some process has the scope at some label.
    func hasValues(_ snapshot: SnapshotRecord) -> Bool {
        snapshot.processes.contains { p in scopes.contains { values($0, in: p) != nil } }
    }

    /// The snapshots a report shows: those with something to measure.
    var shownSnapshots: [SnapshotRecord] { record.snapshots.filter(hasValues) }

    /// The step that produced a snapshot, if any.
    func step(for s: SnapshotRecord) -> StepResult? {
        guard let i = s.afterStep else { return nil }
        return record.steps.first { $0.index == i }
    }

    /// The fields shown in tables: the core ones always, the others only when
    /// some value in the run is not zero.
    var tableFields: [String] {
        let core: Set<String> = ["Size", "Rss", "Pss", "Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty"]
        return SmapsFieldNames.reported.filter { f in
            core.contains(f) || record.snapshots.contains { s in
                s.processes.contains { p in scopes.contains { (values($0, in: p)?[f] ?? 0) != 0 } }
            }
        }
    }

    /// The reported fields left out of the tables because they are zero throughout.
    var omittedFields: [String] {
        let shown = Set(tableFields)
        return SmapsFieldNames.reported.filter { !shown.contains($0) }
    }

    /// The largest resident size (kB) a scope reaches in any process at any label,
    /// so every chart of one scope uses the same scale.
    func maxResident(_ scope: ReportScope) -> UInt64 {
        var m: UInt64 = 0
        for s in record.snapshots {
            for p in s.processes {
                guard let v = values(scope, in: p) else { continue }
                let parts = Self.residentParts.reduce(UInt64(0)) { $0 &+ (v[$1] ?? 0) }
                m = max(m, parts, v["Rss"] ?? 0, v["Pss"] ?? 0)
            }
        }
        return m
    }
}
