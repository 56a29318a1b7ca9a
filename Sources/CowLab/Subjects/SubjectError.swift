#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What can go wrong while driving subjects. Each description is one line naming the
/// subject and the op where known.
public enum SubjectError: Error, CustomStringConvertible, Equatable {
    /// posix_spawn failed.
    case spawnFailed(path: String, errno: Int32)
    /// There is no subject program at `path`.
    case subjectMissing(path: String)
    /// The subject did not answer within `seconds`; it was killed and reaped.
    case timedOut(process: String, op: String, seconds: Double)
    /// The subject's control socket closed: it exited or was killed. `status` reads
    /// "exited with code 3" or "killed by signal 9 (SIGKILL)".
    case died(process: String, op: String, status: String)
    /// The subject answered `err op=OP errno=N what=WORD`; it is still alive.
    case failed(process: String, op: String, errno: Int32, what: String)
    /// The subject said something the protocol does not allow; it was killed and reaped.
    case protocolViolation(process: String, message: String)
    /// No live subject has this name.
    case unknownProcess(String)
    /// A live subject already has this name.
    case duplicateProcess(String)
    /// The observer received SIGINT/SIGTERM/SIGHUP while waiting for a subject.
    case interrupted(signal: Int32)

    public var description: String {
        switch self {
        case let .spawnFailed(path, errno):
            return "cannot start subject \(path): posix_spawn: \(SubjectSystem.errnoText(errno))"
        case let .subjectMissing(path):
            return "no subject program at \(path) (run `swift build`, or set COWLAB_SUBJECT)"
        case let .timedOut(process, op, seconds):
            return "subject '\(process)' did not answer '\(op)' within \(seconds) s; it was killed"
        case let .died(process, op, status):
            return "subject '\(process)' died during '\(op)': \(status)"
        case let .failed(process, op, errno, what):
            return "subject '\(process)' failed '\(op)': \(what): \(SubjectSystem.errnoText(errno))"
        case let .protocolViolation(process, message):
            return "subject '\(process)' broke the protocol: \(message)"
        case let .unknownProcess(name):
            return "no live subject named '\(name)'"
        case let .duplicateProcess(name):
            return "a live subject is already named '\(name)'"
        case let .interrupted(signal):
            return "interrupted by \(SubjectSystem.signalText(signal).replacingOccurrences(of: "killed by ", with: ""))"
        }
    }
}
