/// The full measurement record of one scenario run: what was asked, what the
/// machine is, every step's reply, every snapshot, every verdict. Reports are
/// pure functions of it, and `cowlab report RUN.json` re-renders from it.
public struct RunRecord: Codable, Sendable, Equatable {
    public static let currentFormat = 1

    public var format: Int
    public var cowlabVersion: String
    public var scenario: ScenarioInfo
    public var parameters: [ParameterValue]
    public var environment: EnvironmentRecord
    public var startedAt: String
    public var durationSeconds: Double
    public var steps: [StepResult]
    public var snapshots: [SnapshotRecord]
    public var expectations: [ExpectationResult]
    public var document: [ClaimResult]
    public var verdict: Verdict
    /// Why the run was skipped or stopped, in one line.
    public var reason: String?
}

public enum Verdict: String, Codable, Sendable, Equatable, Comparable {
    case pass, skip, fail, error

    private var rank: Int { [.pass: 0, .skip: 1, .fail: 2, .error: 3][self]! }
    public static func < (a: Verdict, b: Verdict) -> Bool { a.rank < b.rank }
}

public struct ScenarioInfo: Codable, Sendable, Equatable {
    public var name: String
    public var title: String
    public var file: String
    public var source: Scenario.Source
    public var question: String
    public var explanation: String
    public var subjects: [String]
    public var requirements: [String]
}

public struct ParameterValue: Codable, Sendable, Equatable {
    public var name: String
    public var text: String
    public var bytes: Double
    public var isSize: Bool
    public var overridden: Bool
}

public struct StepResult: Codable, Sendable, Equatable {
    public var index: Int
    public var label: String
    public var process: String?
    public var operation: String
    /// What was done, in words: `malloc buf 64 KiB`.
    public var description: String
    public var why: String?
    /// The subject's reply (addr, len, pid, …), or the observer's own results.
    public var reply: [String: String]
    public var error: String?
}

public struct SnapshotRecord: Codable, Sendable, Equatable {
    public var label: String
    /// nil for `start`.
    public var afterStep: Int?
    public var processes: [ProcessSnapshot]

    public func process(_ name: String) -> ProcessSnapshot? { processes.first { $0.name == name } }
}

public struct ProcessSnapshot: Codable, Sendable, Equatable {
    public var name: String
    public var pid: Int32
    public var mappings: [MappingRecord]
    public var regions: [RegionRecord]

    public func region(_ name: String) -> RegionRecord? { regions.first { $0.name == name } }
}

public struct MappingRecord: Codable, Sendable, Equatable {
    public var start: String   // hex, as smaps prints it
    public var end: String
    public var permissions: String
    public var offset: String
    public var pathname: String
    /// Every `Key: N kB` field, in kB as the kernel printed it.
    public var kB: [String: UInt64]
}

/// A region the subject reported (address range) and the mappings covering it.
public struct RegionRecord: Codable, Sendable, Equatable {
    public var name: String
    public var start: String
    public var end: String
    public var length: UInt64
    public var origin: String        // malloc / mmap anon private / mmap file shared …
    /// Indexes into the process's `mappings` that overlap the region.
    public var mappingIndexes: [Int]
    /// Fields summed over those mappings, kB. Empty when nothing is mapped there.
    public var kB: [String: UInt64]
}

public struct ExpectationResult: Codable, Sendable, Equatable {
    public var expectation: Int      // index in the scenario's expect list; -1 for content checks
    public var line: Int
    public var kind: String          // state / change / shift / presence / content
    public var process: String
    public var scope: String
    public var labels: [String]
    public var field: String?
    /// The condition as written: `>= $size`.
    public var condition: String
    /// Observed value in bytes (deltas for change and shift), when numeric.
    public var observed: Double?
    /// Expected value in bytes, when numeric.
    public var expected: Double?
    public var verdict: Verdict
    /// One sentence with the observed numbers.
    public var sentence: String
    public var why: String?
}

/// A number the source document printed, with ours beside it.
public struct ClaimResult: Codable, Sendable, Equatable {
    public var label: String
    public var process: String
    public var scope: String
    public var field: String
    public var documentText: String
    public var documentBytes: Double
    public var measuredBytes: Double?
    public var note: String?
}
