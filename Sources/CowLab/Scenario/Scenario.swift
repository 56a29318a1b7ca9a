/// One experiment, loaded from a YAML file in `Scenarios/`.
///
/// A scenario is data: the subjects it starts, the steps they take, what
/// smaps should show after them, and what the source document printed.
public struct Scenario: Sendable {
    public var file: String
    public var name: String
    public var title: String
    public var source: Source
    public var question: String
    public var parameters: [Parameter]
    public var requirements: [Requirement]
    public var subjects: [String]
    public var steps: [Step]
    public var expectations: [Expectation]
    public var document: [DocumentClaim]
    public var explanation: String
    /// The machine parameters (`$fault_around`, see `MachineParameters`) the
    /// scenario reads, in first-use order; the run resolves and records only these.
    public var machineParameters: [String] = []

    public struct Source: Sendable, Equatable, Codable {
        public var document: String
        public var section: String?
        public var url: String?
    }

    /// A named parameter with its default, overridable with `--set name=value`.
    public struct Parameter: Sendable {
        public var name: String
        public var defaultValue: SizeExpression
        public var text: String
        public var help: String?
        public var line: Int
    }

    /// A label after which a snapshot is taken. `start` is the one before any step.
    public static let startLabel = "start"

    /// All labels, in order: `start` and every step's label.
    public var labels: [String] { [Scenario.startLabel] + steps.map(\.label) }
}

/// What the machine must offer for the scenario to mean anything.
/// Unmet requirements skip the scenario with their reason; they never fail it.
public enum Requirement: Sendable, Equatable {
    case swap
    case root
    case thp(modes: [String])
    case kernel(atLeast: [Int])
    case writableDirectory(String)
    /// The data directory (`--data-dir`) is on one of these file systems.
    case dataFileSystem([String])
}

public struct Step: Sendable {
    public var index: Int
    public var label: String
    /// The subject that performs the step (for observer-side steps, the one it concerns).
    public var process: String?
    public var operation: Operation
    public var line: Int
    /// Why the step is there, in the scenario's words (shown beside the step in the report).
    public var why: String? = nil
}

public enum MapSharing: String, Sendable, Codable { case shared, `private` }
public enum Protection: String, Sendable, Codable { case r, rw }

public struct ByteRange: Sendable, Equatable {
    public var offset: SizeExpression?
    public var length: SizeExpression?
}

public enum Operation: Sendable {
    case malloc(region: String, size: SizeExpression)
    case free(region: String)
    case mmap(region: String, size: SizeExpression, sharing: MapSharing, protection: Protection,
              file: String?, populate: Bool, offset: SizeExpression?, align: SizeExpression? = nil)
    case fill(region: String, byte: Int, range: ByteRange)
    case touch(region: String, range: ByteRange, everyPage: Bool)
    case check(region: String, byte: Int, range: ByteRange)
    /// memcpy all of `from` to the start of `to`.
    case copy(from: String, to: String)
    case madvise(region: String, advice: String, range: ByteRange)
    case msync(region: String, flags: String)
    case munmap(region: String)
    case mlock(region: String)
    case munlock(region: String)
    case fork(child: String)
    case spawn
    case exit(code: Int)
    /// `sparse`: made with ftruncate, no data written (like shm_open + ftruncate);
    /// otherwise written with write() in `chunk`-sized pieces of `byte`.
    case createFile(file: String, size: SizeExpression, chunk: SizeExpression, byte: Int, fsync: Bool, directory: FileDirectory,
                    sparse: Bool)
    case clearRefs(value: Int)

    public var name: String {
        switch self {
        case .malloc: "malloc"
        case .free: "free"
        case .mmap: "mmap"
        case .fill: "fill"
        case .touch: "touch"
        case .check: "check"
        case .copy: "copy"
        case .madvise: "madvise"
        case .msync: "msync"
        case .munmap: "munmap"
        case .mlock: "mlock"
        case .munlock: "munlock"
        case .fork: "fork"
        case .spawn: "spawn"
        case .exit: "exit"
        case .createFile: "create-file"
        case .clearRefs: "clear-refs"
        }
    }

    /// The region the operation names, if any.
    public var region: String? {
        switch self {
        case .malloc(let r, _), .free(let r), .mmap(let r, _, _, _, _, _, _, _), .fill(let r, _, _), .copy(_, let r),
             .touch(let r, _, _), .check(let r, _, _), .madvise(let r, _, _), .msync(let r, _),
             .munmap(let r), .mlock(let r), .munlock(let r):
            return r
        case .fork, .spawn, .exit, .createFile, .clearRefs:
            return nil
        }
    }
}

/// Where a scenario's test file lives: the run directory (default, on the
/// data directory's file system) or tmpfs (`/dev/shm`).
public enum FileDirectory: String, Sendable { case data, shm }

/// Which part of a process's address space an expectation reads.
public enum Scope: Sendable, Equatable, CustomStringConvertible {
    /// The mappings covering a region the subject reported (address range).
    case region(String)
    /// Every mapping whose pathname is this (e.g. `[heap]`).
    case mapping(String)
    /// The whole process.
    case whole

    public var description: String {
        switch self {
        case .region(let r): return r
        case .mapping(let m): return m
        case .whole: return "whole process"
        }
    }
}

/// One field condition inside an expectation: `Shared_Dirty: ">= $size"`.
public struct FieldCondition: Sendable {
    public var field: String
    public var condition: Condition
    public var text: String
}

public struct Expectation: Sendable {
    public enum Kind: Sendable {
        /// Field conditions at one label.
        case state(at: String)
        /// The mapping (scope must be `.mapping`) is absent / present at a label.
        case presence(at: String, present: Bool)
        /// Field conditions on the change between two labels (to − from).
        case change(from: String, to: String)
        /// Between two labels, `amount` moved from one field to another: the first
        /// fell by it and the second rose by it.
        case shift(from: String, to: String, fromField: String, toField: String, amount: Condition, amountText: String)
        /// Conditions on a region joined frame by frame between two processes at a label:
        /// `shared`, `copied`, `only_first`, `only_second`, `absent` (as sizes: pages × page size).
        case frames(at: String, first: String, second: String)
    }

    /// The quantities a `frames` expectation may name.
    public static let frameFields: [String] = ["shared", "copied", "only_first", "only_second", "absent"]

    public var index: Int
    public var line: Int
    public var kind: Kind
    public var processes: [String]
    public var scope: Scope
    public var conditions: [FieldCondition]
    public var why: String?
}

/// A number the source document printed, shown beside ours.
public struct DocumentClaim: Sendable {
    public var label: String
    public var process: String
    public var scope: Scope
    public var field: String
    public var value: SizeExpression
    public var text: String
    public var note: String?
}
