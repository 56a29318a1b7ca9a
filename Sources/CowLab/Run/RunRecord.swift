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
    /// Frame-level view of every region in every process (pagemap, kpagecount, kpageflags).
    public var frames: [RegionFramesRecord]?
    /// Regions joined frame by frame between two processes that both have them.
    public var joins: [FrameJoinRecord]?
    /// smaps' Shared/Private/Pss against what the frames say; disagreements are findings.
    public var crossChecks: [CrossCheckRecord]?

    public init(label: String, afterStep: Int?, processes: [ProcessSnapshot], frames: [RegionFramesRecord]? = nil,
                joins: [FrameJoinRecord]? = nil, crossChecks: [CrossCheckRecord]? = nil) {
        self.label = label
        self.afterStep = afterStep
        self.processes = processes
        self.frames = frames
        self.joins = joins
        self.crossChecks = crossChecks
    }

    public func join(_ region: String, _ first: String, _ second: String) -> FrameJoinRecord? {
        joins?.first { $0.region == region && $0.first == first && $0.second == second }
    }

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

/// One region of one process, page by page, summarised. Counts are pages;
/// optional counts need root (frame numbers, kpagecount, kpageflags).
public struct RegionFramesRecord: Codable, Sendable, Equatable {
    public var process: String
    public var region: String
    /// The page-aligned range read, hex.
    public var start: String
    public var pages: Int
    public var present: Int
    public var swapped: Int
    public var exclusive: Int
    public var sharedByMapcount: Int?
    public var privateByMapcount: Int?
    public var anonymous: Int?
    public var thp: Int?
    public var zeroPage: Int?
    public var dirty: Int?
    public var distinctFrames: Int?
    /// "visible", or "hidden: needs root (CAP_SYS_ADMIN)".
    public var frameNumbers: String
}

/// A region joined frame by frame between two processes (parent and child after fork).
public struct FrameJoinRecord: Codable, Sendable, Equatable {
    public var region: String
    public var first: String
    public var second: String
    /// "frames" (compared frame numbers) or "inferred" (frame numbers hidden: from exclusive bits).
    public var mode: String
    public var shared: Int
    public var copied: Int
    public var onlyFirst: Int
    public var onlySecond: Int
    public var absent: Int
    public var sharedZeroPage: Int?
    /// One letter per page, run-length encoded: S shared, C copied, F only first,
    /// O only second, A absent. E.g. "S12C4A3".
    public var pagesRLE: String
}

public struct CrossCheckRecord: Codable, Sendable, Equatable {
    public var subject: String
    public var region: String
    public var kind: String
    public var status: String     // agrees / disagrees / skipped
    public var basis: String
    public var smapsBytes: Int64
    public var frameBytes: Int64?
    public var message: String
}
