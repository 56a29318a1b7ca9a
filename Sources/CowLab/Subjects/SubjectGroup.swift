#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CCowlabShim

/// Set once per observer process, on first use: orphaned descendants (the children of a
/// subject that died) are reparented to us rather than to init, so we can reap them.
private let childSubreaperResult: Int32 = cowlab_set_child_subreaper()

/// How a subject ended, as reported by waitpid or by its parent's `wait` reply.
enum SubjectExitStatus: CustomStringConvertible {
    case exited(code: Int32)
    case signaled(signal: Int32)
    case unknown

    init(waitStatus status: Int32) {
        let low = status & 0x7f
        if low == 0 {
            self = .exited(code: (status >> 8) & 0xff)
        } else if low != 0x7f {
            self = .signaled(signal: low)
        } else {
            self = .unknown
        }
    }

    /// From `ok status=exited code=N` / `ok status=signaled signal=N`.
    init(reply: SubjectReply) {
        switch reply["status"] {
        case "exited": self = reply.int64("code").map { .exited(code: Int32(truncatingIfNeeded: $0)) } ?? .unknown
        case "signaled": self = reply.int64("signal").map { .signaled(signal: Int32(truncatingIfNeeded: $0)) } ?? .unknown
        default: self = .unknown
        }
    }

    var fields: [String: String] {
        switch self {
        case let .exited(code): return ["status": "exited", "code": String(code)]
        case let .signaled(signal): return ["status": "signaled", "signal": String(signal)]
        case .unknown: return ["status": "unknown"]
        }
    }

    var description: String {
        switch self {
        case let .exited(code): return "exited with code \(code)"
        case let .signaled(signal): return SubjectSystem.signalText(signal)
        case .unknown: return "status unknown"
        }
    }
}

/// The live subjects of one experiment, by name: independent subjects started with
/// `spawn`, and children that a subject forked with `fork`. Every wait is bounded.
///
/// No subject outlives the observer: each subject arms PR_SET_PDEATHSIG(SIGKILL) (and so
/// does every child it forks), and `terminateAll` runs on every exit path and in deinit.
/// Caveat: PR_SET_PDEATHSIG fires when the *thread* that spawned the subject exits, not
/// the process. Use a group from one long-lived thread for its whole life (the CLI uses
/// the main thread; tests use synchronous test functions). Not Sendable for that reason.
public final class SubjectGroup {
    private struct Member {
        let name: String
        let pid: Int32
        let fd: Int32  // our end of its control socket, CLOEXEC
        let parent: String?  // nil: we spawned it; else the subject that forked it
    }

    /// Largest message either side sends (docs/subject-protocol.md).
    static let messageLimit = 4096

    public let subjectPath: String
    /// Default time limit, in seconds, for one request, a hello, or a fork.
    public let timeout: Double
    /// Time limit for reaping a subject that exited or was killed.
    public var reapTimeout: Double = 5
    private var members: [Member] = []  // live, in creation order: a parent precedes its children

    /// `$COWLAB_SUBJECT` if set, else `cowlab-subject` beside this executable
    /// (/proc/self/exe), which holds for `swift run` and for the test bundle alike, as
    /// both live in .build/<config>/.
    public static func defaultSubjectPath() -> String {
        if let env = getenv("COWLAB_SUBJECT"), env.pointee != 0 {
            return String(cString: env)
        }
        var candidates: [String] = []
        if let exe = SubjectSystem.readLink("/proc/self/exe") {
            candidates.append(directory(of: exe) + "/cowlab-subject")
        }
        if let arg0 = CommandLine.arguments.first, arg0.contains("/") {
            candidates.append(directory(of: arg0) + "/cowlab-subject")
        }
        return candidates.first { access($0, X_OK) == 0 } ?? candidates.first ?? "cowlab-subject"
    }

    private static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Whether this process became a child subreaper (PR_SET_CHILD_SUBREAPER).
    public static var isChildSubreaper: Bool { childSubreaperResult == 0 }

    /// Throws `subjectMissing` when there is no file at `subjectPath`.
    public init(subjectPath: String = SubjectGroup.defaultSubjectPath(), timeout: Double = 30) throws {
        self.subjectPath = subjectPath
        self.timeout = timeout
        _ = childSubreaperResult
        try checkSubjectExists()
    }

    deinit {
        terminateAll()
    }

    // MARK: - Queries

    /// Live subjects, in creation order.
    public var names: [String] { members.map(\.name) }

    public func pid(of name: String) -> Int32? {
        members.first { $0.name == name }?.pid
    }

    /// Whether `name` is a live subject. A subject whose control socket has hung up is
    /// reaped and forgotten here.
    public func isAlive(_ name: String) -> Bool {
        guard let member = members.first(where: { $0.name == name }) else { return false }
        if SubjectSystem.hungUp(member.fd) {
            bury(name, kill: false)
            return false
        }
        return true
    }

    // MARK: - Lifecycle

    /// Starts an independent subject and waits for its `hello`. Returns its pid.
    @discardableResult
    public func spawn(_ name: String) throws -> Int32 {
        guard !members.contains(where: { $0.name == name }) else { throw SubjectError.duplicateProcess(name) }
        try checkSubjectExists()
        var fds: [Int32] = [-1, -1]
        let rc = cowlab_seqpacket_pair(&fds)
        guard rc == 0 else { throw SubjectError.spawnFailed(path: subjectPath, errno: -rc) }
        let pid: Int32
        do {
            pid = try Self.launch(path: subjectPath, arguments: ["1", String(getpid())], controlFD: fds[1])
        } catch {
            close(fds[0])
            close(fds[1])
            throw error
        }
        close(fds[1])
        members.append(Member(name: name, pid: pid, fd: fds[0], parent: nil))
        let (hello, extra) = try receive(name, op: "hello", timeout: timeout)
        if let extra { close(extra) }
        try checkHello(hello, name: name, pid: pid, parentPid: nil)
        return pid
    }

    /// Starts the subject program by posix_spawn with `controlFD` as its fd 3, stdin
    /// from /dev/null and an empty environment, without registering or waiting for it.
    /// For tests of the start-up checks; `spawn` is the normal way.
    ///
    /// The environment is empty because the subject needs none and the observer's
    /// would change what is measured: glibc reads MALLOC_PERTURB_, MALLOC_TOP_PAD_,
    /// MALLOC_MMAP_THRESHOLD_, GLIBC_TUNABLES... at start-up (a perturb byte
    /// touches every malloc'd page; a top pad changes the heap's size), and
    /// LD_PRELOAD would load a library, or another allocator, into the subject.
    public static func launch(path: String, arguments: [String], controlFD: Int32) throws -> Int32 {
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let emptyEnvironment: [UnsafeMutablePointer<CChar>?] = [nil]
        var pid: pid_t = 0
        let rc = cowlab_spawn(path, argv, emptyEnvironment, controlFD, &pid)
        guard rc == 0 else { throw SubjectError.spawnFailed(path: path, errno: -rc) }
        return pid
    }

    /// Asks `parent` to fork; registers the child as `child` and waits for its hello.
    /// Returns the child's pid.
    @discardableResult
    public func fork(_ parent: String, child: String, timeout: Double? = nil) throws -> Int32 {
        let limit = timeout ?? self.timeout
        guard !members.contains(where: { $0.name == child }) else { throw SubjectError.duplicateProcess(child) }
        guard let parentPid = pid(of: parent) else { throw SubjectError.unknownProcess(parent) }
        let (reply, received) = try exchange(parent, SubjectRequest("fork", ["child": child]), timeout: limit)
        guard let value = reply.uint64("pid"), value > 0, value <= UInt64(Int32.max) else {
            if let received { close(received) }
            bury(parent, kill: true)
            throw SubjectError.protocolViolation(process: parent, message: "fork reply without a valid pid: \(reply)")
        }
        let pid = Int32(value)
        guard let fd = received else {
            kill(pid, SIGKILL)
            _ = try? exchange(parent, SubjectRequest("wait", ["pid": String(pid)]), timeout: reapTimeout)
            throw SubjectError.protocolViolation(process: parent, message: "fork reply carried no socket")
        }
        members.append(Member(name: child, pid: pid, fd: fd, parent: parent))
        let (hello, extra) = try receive(child, op: "hello", timeout: limit)
        if let extra { close(extra) }
        try checkHello(hello, name: child, pid: pid, parentPid: parentPid)
        return pid
    }

    /// Asks `name` to exit with `code`, reaps it (through its parent's `wait` when it is a
    /// forked child) and returns how it ended, e.g. "exited with code 0".
    @discardableResult
    public func exit(_ name: String, code: Int32 = 0) throws -> String {
        try exitStatus(name, code: code, timeout: timeout).description
    }

    private func exitStatus(_ name: String, code: Int32, timeout: Double) throws -> SubjectExitStatus {
        let (_, received) = try exchange(name, SubjectRequest("exit", ["code": String(code)]), timeout: timeout)
        if let received { close(received) }
        return bury(name, kill: false)
    }

    /// SIGKILLs every subject (children first), closes their sockets and reaps them all
    /// within `reapTimeout`. Idempotent; also called from deinit.
    public func terminateAll() {
        let all = members
        members.removeAll()
        guard !all.isEmpty else { return }
        for member in all.reversed() { kill(member.pid, SIGKILL) }
        for member in all { close(member.fd) }
        // Creation order: a parent is reaped first, which hands its (killed) children to us.
        let deadline = SubjectSystem.now() + reapTimeout
        for member in all { _ = SubjectSystem.reap(member.pid, until: deadline) }
    }

    // MARK: - Requests

    /// Sends one request and returns the `ok` reply's fields. `fork` and `exit` requests
    /// go through `fork(_:child:)` and `exit(_:code:)`, so the group's table stays right:
    /// `fork` answers `pid=`, `exit` answers `status=exited code=N` or
    /// `status=signaled signal=N`.
    @discardableResult
    public func request(_ name: String, _ req: SubjectRequest, timeout: Double? = nil) throws -> SubjectReply {
        let limit = timeout ?? self.timeout
        switch req.op {
        case "fork" where req.arguments.count == 1 && req["child"] != nil:
            let pid = try fork(name, child: req["child"]!, timeout: limit)
            return SubjectReply(fields: ["pid": String(pid)])
        case "exit" where req.arguments.isEmpty:
            return SubjectReply(fields: try exitStatus(name, code: 0, timeout: limit).fields)
        case "exit" where req.arguments.count == 1 && req["code"].flatMap({ Int32($0) }) != nil:
            return SubjectReply(fields: try exitStatus(name, code: Int32(req["code"]!)!, timeout: limit).fields)
        default:
            let (reply, received) = try exchange(name, req, timeout: limit)
            if let received {
                close(received)
                bury(name, kill: true)
                throw SubjectError.protocolViolation(process: name, message: "unexpected socket with reply to '\(req.op)'")
            }
            return reply
        }
    }

    // MARK: - Internals

    private func checkSubjectExists() throws {
        var info = stat()
        if stat(subjectPath, &info) != 0 && errno == ENOENT {
            throw SubjectError.subjectMissing(path: subjectPath)
        }
    }

    private func checkHello(_ hello: SubjectMessage, name: String, pid: Int32, parentPid: Int32?) throws {
        var expected: [String: String] = ["v": "1", "pid": String(pid)]
        if let parentPid { expected["parent"] = String(parentPid) }
        guard hello.word == "hello", hello.fields == expected else {
            bury(name, kill: true)
            throw SubjectError.protocolViolation(
                process: name, message: "bad hello: \(hello.word) \(hello.fields.sorted { $0.key < $1.key })")
        }
    }

    /// Sends `req` and waits for one `ok` (returned with any passed fd) or `err` (thrown).
    private func exchange(_ name: String, _ req: SubjectRequest, timeout: Double) throws -> (SubjectReply, Int32?) {
        guard let member = members.first(where: { $0.name == name }) else { throw SubjectError.unknownProcess(name) }
        let bytes = Array(req.wire.utf8)
        guard !req.op.isEmpty else {
            // An empty SEQPACKET message reads as EOF on the other side.
            throw SubjectError.failed(process: name, op: "", errno: EINVAL, what: "empty-request")
        }
        let sent = bytes.withUnsafeBytes { cowlab_send_message(member.fd, $0.baseAddress!, $0.count) }
        if sent < 0 {
            let code = Int32(-sent)
            if code == EPIPE || code == ECONNRESET {
                throw SubjectError.died(process: name, op: req.op, status: bury(name, kill: false).description)
            }
            bury(name, kill: true)
            throw SubjectError.protocolViolation(process: name, message: "send: \(SubjectSystem.errnoText(code))")
        }
        let (message, received) = try receive(name, op: req.op, timeout: timeout)
        switch message.word {
        case "ok":
            return (SubjectReply(fields: message.fields), received)
        case "err":
            if let received { close(received) }
            guard let code = message.fields["errno"].flatMap({ Int32($0) }), let what = message.fields["what"] else {
                bury(name, kill: true)
                throw SubjectError.protocolViolation(process: name, message: "err reply without errno and what")
            }
            throw SubjectError.failed(process: name, op: message.fields["op"] ?? req.op, errno: code, what: what)
        default:
            if let received { close(received) }
            bury(name, kill: true)
            throw SubjectError.protocolViolation(
                process: name, message: "expected ok or err for '\(req.op)', got '\(message.word)'")
        }
    }

    /// Waits for one message from `name`. On timeout the subject is killed and reaped; on
    /// EOF it is reaped and `died` is thrown with its status.
    private func receive(_ name: String, op: String, timeout: Double) throws -> (SubjectMessage, Int32?) {
        guard let member = members.first(where: { $0.name == name }) else { throw SubjectError.unknownProcess(name) }
        switch SubjectSystem.pollReadable(member.fd, until: SubjectSystem.now() + timeout) {
        case .ready:
            break
        case .timedOut:
            bury(name, kill: true)
            throw SubjectError.timedOut(process: name, op: op, seconds: timeout)
        case let .failed(code):
            bury(name, kill: true)
            throw SubjectError.protocolViolation(process: name, message: "poll: \(SubjectSystem.errnoText(code))")
        case let .interrupted(signal):
            throw SubjectError.interrupted(signal: signal)
        }
        var buffer = [UInt8](repeating: 0, count: Self.messageLimit + 1)
        var fd: Int32 = -1
        var truncated: Int32 = 0
        let n = buffer.withUnsafeMutableBytes {
            cowlab_recv_message(member.fd, $0.baseAddress!, $0.count, &fd, &truncated)
        }
        let received: Int32? = fd >= 0 ? fd : nil
        if n == 0 || n == -Int(ECONNRESET) {
            if let received { close(received) }
            throw SubjectError.died(process: name, op: op, status: bury(name, kill: false).description)
        }
        var problem: String?
        if n < 0 {
            problem = "recvmsg: \(SubjectSystem.errnoText(Int32(-n)))"
        } else if truncated != 0 || n > Self.messageLimit {
            problem = "message longer than \(Self.messageLimit) bytes"
        }
        let text = n > 0 ? String(decoding: buffer[..<min(n, Self.messageLimit)], as: UTF8.self) : ""
        let message = problem == nil ? SubjectMessage.parse(text[...]) : nil
        guard let message else {
            if let received { close(received) }
            bury(name, kill: true)
            throw SubjectError.protocolViolation(process: name, message: problem ?? "malformed message '\(text)'")
        }
        return (message, received)
    }

    /// Forgets `name` (SIGKILLing it first if asked), closes its socket, reaps it and then
    /// its descendants. Returns how it ended.
    @discardableResult
    private func bury(_ name: String, kill killFirst: Bool) -> SubjectExitStatus {
        guard let index = members.firstIndex(where: { $0.name == name }) else { return .unknown }
        let member = members.remove(at: index)
        if killFirst { kill(member.pid, SIGKILL) }
        close(member.fd)
        let status = reapStatus(of: member)
        buryDescendants(of: member.name)
        return status
    }

    private func reapStatus(of member: Member) -> SubjectExitStatus {
        if let parent = member.parent, members.contains(where: { $0.name == parent }) {
            // A forked child: only its parent subject can wait for it.
            let wait = SubjectRequest("wait", ["pid": String(member.pid)])
            if let (reply, received) = try? exchange(parent, wait, timeout: min(timeout, reapTimeout)) {
                if let received { close(received) }
                return SubjectExitStatus(reply: reply)
            }
            // The parent failed or died meanwhile: the child is now ours, or already gone.
        }
        return SubjectSystem.reapOrKill(member.pid, seconds: reapTimeout).map(SubjectExitStatus.init(waitStatus:))
            ?? .unknown
    }

    /// Kills and reaps every registered descendant of a subject that has just gone. Its
    /// children got SIGKILL from PR_SET_PDEATHSIG anyway and were reparented to us.
    private func buryDescendants(of name: String) {
        var doomed: Set<String> = [name]
        var victims: [Member] = []
        for member in members where member.parent.map(doomed.contains) == true {
            doomed.insert(member.name)
            victims.append(member)
        }
        guard !victims.isEmpty else { return }
        members.removeAll { doomed.contains($0.name) }
        for member in victims.reversed() { kill(member.pid, SIGKILL) }
        for member in victims { close(member.fd) }
        let deadline = SubjectSystem.now() + reapTimeout
        for member in victims { _ = SubjectSystem.reap(member.pid, until: deadline) }
    }
}
