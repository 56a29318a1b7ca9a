// Errors from reading and parsing smaps. Each one prints as a single line.

/// What went wrong reading or parsing `/proc/PID/smaps` or a saved copy.
public enum SmapsError: Error, CustomStringConvertible, Equatable {
    /// No process has this pid (the /proc entry did not exist at open).
    case noSuchProcess(pid: Int32)
    /// The process existed when its smaps was opened but was gone while it was
    /// read: read(2) failed with ESRCH, or it read empty and the process had exited.
    case processExited(pid: Int32)
    /// open(2) or read(2) failed with EACCES or EPERM (smaps of another user's
    /// process needs ptrace read access).
    case permissionDenied(pid: Int32?, path: String)
    /// Any other failure to read `path`.
    case unreadable(path: String, errno: Int32)
    /// The bytes are not smaps. `line` is 1-based; `byteOffset` is the 0-based
    /// offset in the whole input of the byte where parsing failed.
    case malformed(source: String, line: Int, byteOffset: Int, message: String)
    /// The input holds no mapping at all (zero bytes).
    case empty(source: String)

    public var description: String {
        switch self {
        case .noSuchProcess(let pid):
            return "no process with pid \(pid)"
        case .processExited(let pid):
            return "process \(pid) exited while its smaps was being read"
        case .permissionDenied(let pid?, let path):
            return "permission denied reading \(path) (pid \(pid): another process's smaps needs ptrace read access: same user, or CAP_SYS_PTRACE)"
        case .permissionDenied(nil, let path):
            return "permission denied reading \(path)"
        case .unreadable(let path, let code):
            return "cannot read \(path): \(system_strerror(code)) (errno \(code))"
        case .malformed(let source, let line, let offset, let message):
            return "\(source):\(line): byte \(offset): \(message)"
        case .empty(let source):
            return "\(source): empty input, no mappings"
        }
    }

    /// Maps a failed whole-file read to an error. With a pid, ENOENT at open means
    /// there is no such process and ESRCH while reading means it exited.
    internal init(_ failure: FileReadFailure, path: String, pid: Int32?) {
        switch failure.errno {
        case Errno.access, Errno.permission:
            self = .permissionDenied(pid: pid, path: path)
        case Errno.noEntry where pid != nil && failure.atOpen,
             Errno.noProcess where pid != nil && failure.atOpen:
            self = .noSuchProcess(pid: pid!)
        case Errno.noProcess where pid != nil:
            self = .processExited(pid: pid!)
        default:
            self = .unreadable(path: path, errno: failure.errno)
        }
    }
}
