#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CCowlabShim
import Testing

@testable import CowLab

/// Reads a whole /proc file with a read(2) loop (Foundation truncates procfs files).
private func readProcFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        bytes += chunk[..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// smaps header lines naming `[heap]`.
private func heapMappings(_ pid: Int32) throws -> Int {
    let smaps = try #require(readProcFile("/proc/\(pid)/smaps"))
    return smaps.split(separator: "\n").filter { $0.hasSuffix(" [heap]") }.count
}

private func parentPid(of pid: Int32) -> Int32? {
    guard let status = readProcFile("/proc/\(pid)/status") else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("PPid:") {
        return Int32(line.dropFirst(5).trimmingCharacters(in: " \t"))
    }
    return nil
}

/// Fully gone: no process, not even a zombie.
private func isGone(_ pid: Int32) -> Bool {
    let noProcess = kill(pid, 0) == -1 && errno == ESRCH
    return noProcess && access("/proc/\(pid)", F_OK) != 0
}

/// The state letter of /proc/PID/stat ("R", "S", "Z"...), nil once the pid is gone.
private func processState(_ pid: Int32) -> Character? {
    guard let stat = readProcFile("/proc/\(pid)/stat"), let paren = stat.lastIndex(of: ")") else { return nil }
    return stat[paren...].dropFirst(2).first
}

/// Polls `condition` every millisecond for at most `seconds`.
private func eventually(within seconds: Double = 5, _ condition: () -> Bool) -> Bool {
    let deadline = SubjectSystem.now() + seconds
    while !condition() {
        if SubjectSystem.now() > deadline { return false }
        SubjectSystem.sleep(seconds: 0.001)
    }
    return true
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> Substring {
        var s = self
        while let c = s.first, set.contains(c) { s.removeFirst() }
        while let c = s.last, set.contains(c) { s.removeLast() }
        return s
    }
}

@Suite(.serialized, .timeLimit(.minutes(1)))
struct SubjectTests {
    @Test func defaultSubjectPathFindsTheBuiltSubject() {
        let path = SubjectGroup.defaultSubjectPath()
        #expect(path.hasSuffix("/cowlab-subject"))
        #expect(access(path, X_OK) == 0, "no executable at \(path)")
    }

    @Test func requestWireAndReplyNumbers() {
        let req = SubjectRequest("mmap", ["region": "m", "size": "4096", "kind": "anon"])
        #expect(req.wire == "mmap region=m size=4096 kind=anon")
        #expect(req.description == req.wire)
        #expect(req["size"] == "4096")
        let reply = SubjectReply(fields: ["addr": "0x7f00deadb000", "len": "4096", "bad": "12x"])
        #expect(reply.uint64("addr") == 0x7f00_dead_b000)
        #expect(reply.uint64("len") == 4096)
        #expect(reply.uint64("bad") == nil)
        #expect(reply.uint64("absent") == nil)
        #expect(SubjectMessage.parse("ok a=1 b=") == SubjectMessage(word: "ok", fields: ["a": "1", "b": ""]))
        #expect(SubjectMessage.parse("ok a=1 a=2") == nil)
        #expect(SubjectMessage.parse("ok  a=1") == nil)
        #expect(SubjectMessage.parse("") == nil)
    }

    @Test func spawnSaysHelloAndHasNoHeapUntilMalloc() throws {
        let group = try SubjectGroup(timeout: 10)
        let pid = try group.spawn("s")
        #expect(pid > 0)
        #expect(group.names == ["s"])
        #expect(group.pid(of: "s") == pid)
        #expect(group.isAlive("s"))
        #expect(parentPid(of: pid) == getpid())
        #expect(try heapMappings(pid) == 0, "a fresh subject must not have a [heap]")
        let reply = try group.request("s", SubjectRequest("malloc", ["region": "buf", "size": "65536"]))
        #expect(reply.uint64("len") == 65536)
        #expect((reply.uint64("addr") ?? 0) != 0)
        #expect(try heapMappings(pid) == 1)
        #expect(try group.exit("s", code: 3) == "exited with code 3")
        #expect(group.names.isEmpty)
        #expect(isGone(pid))
    }

    /// The observer's environment (MALLOC_PERTURB_, LD_PRELOAD... in this test
    /// process's too) never reaches a subject, nor its forked child.
    @Test func subjectsStartWithAnEmptyEnvironment() throws {
        let group = try SubjectGroup(timeout: 10)
        let pid = try group.spawn("s")
        let child = try group.fork("s", child: "c")
        for p in [pid, child] {
            let environ = try #require(readProcFile("/proc/\(p)/environ"))
            #expect(environ.isEmpty, "pid \(p): \(environ)")
        }
        _ = try group.exit("c", code: 0)
        _ = try group.exit("s", code: 0)
    }

    @Test func forkedChildSharesThenIsolatesPrivateMemory() throws {
        let group = try SubjectGroup(timeout: 10)
        defer { group.terminateAll() }
        let parent = try group.spawn("parent")
        try group.request("parent", SubjectRequest("malloc", ["region": "buf", "size": "65536"]))
        #expect(try group.request("parent", SubjectRequest("fill", ["region": "buf", "byte": "1"]))["bytes"] == "65536")
        let shared = try group.request(
            "parent", SubjectRequest("mmap", ["region": "shm", "size": "16384", "kind": "anon", "share": "shared", "prot": "rw"]))
        let page = UInt64(sysconf(Int32(_SC_PAGESIZE)))
        #expect((shared.uint64("addr") ?? 1) % page == 0)
        try group.request("parent", SubjectRequest("fill", ["region": "shm", "byte": "3"]))

        let child = try group.fork("parent", child: "child")
        #expect(group.names == ["parent", "child"])
        #expect(parentPid(of: child) == parent)

        func check(_ name: String, _ region: String, _ byte: Int) throws -> SubjectReply {
            try group.request(name, SubjectRequest("check", ["region": region, "byte": String(byte)]))
        }
        // The child reads what the parent wrote before fork.
        #expect(try check("child", "buf", 1)["match"] == "1")
        // A write in the child is private to it...
        try group.request("child", SubjectRequest("fill", ["region": "buf", "byte": "2", "offset": "100", "length": "50"]))
        #expect(try check("parent", "buf", 1)["match"] == "1")
        let mismatch = try check("child", "buf", 1)
        #expect(mismatch["match"] == "0")
        #expect(mismatch["at"] == "100")
        #expect(mismatch["found"] == "2")
        // ...while MAP_SHARED|MAP_ANONYMOUS memory is one object for both.
        try group.request("parent", SubjectRequest("fill", ["region": "shm", "byte": "4"]))
        #expect(try check("child", "shm", 4)["match"] == "1")
        try group.request("child", SubjectRequest("fill", ["region": "shm", "byte": "5", "length": "8192"]))
        #expect(try group.request("parent", SubjectRequest("check", ["region": "shm", "byte": "5", "length": "8192"]))["match"] == "1")

        // A forked child is reaped through its parent's `wait`.
        #expect(try group.exit("child", code: 4) == "exited with code 4")
        #expect(isGone(child))
        #expect(group.names == ["parent"])
    }

    @Test(arguments: [
        ("fill region=nope byte=1", EINVAL, "unknown-region"),
        ("malloc region=b size=0", EINVAL, "bad-argument"),
        ("malloc region=b size=12kB", EINVAL, "bad-argument"),
        ("malloc region=b", EINVAL, "missing-argument"),
        ("frobnicate region=b", EINVAL, "unknown-op"),
        ("malloc region=buf size=1", EEXIST, "region-exists"),
        ("fill region=buf byte=1 offset=4096 length=1", EINVAL, "out-of-range"),
        ("fill region=buf byte=256", EINVAL, "bad-argument"),
        ("ping extra=1", EINVAL, "unknown-key"),
        ("madvise region=buf advice=sideways", EINVAL, "bad-argument"),
        ("mmap region=f size=4096 kind=file share=private prot=r path=/nonexistent/cowlab", ENOENT, "open"),
        ("munmap region=buf", EINVAL, "wrong-kind"),
        ("wait pid=1", ECHILD, "waitpid"),
    ])
    func errorRepliesLeaveTheSubjectServing(line: String, code: Int32, what: String) throws {
        let group = try SubjectGroup(timeout: 10)
        defer { group.terminateAll() }
        try group.spawn("s")
        try group.request("s", SubjectRequest("malloc", ["region": "buf", "size": "4096"]))
        group.expectRefused("s", line: line, errno: code, what: what)
        #expect(try group.request("s", SubjectRequest("ping")).fields.isEmpty)
        #expect(group.isAlive("s"))
    }

    @Test func requestRoutesForkAndExitThroughTheTable() throws {
        let group = try SubjectGroup(timeout: 10)
        defer { group.terminateAll() }
        let parent = try group.spawn("p")
        let forked = try group.request("p", SubjectRequest("fork", ["child": "c"]))
        let child = try #require(forked.uint64("pid"))
        #expect(group.pid(of: "c") == Int32(child))
        #expect(parentPid(of: Int32(child)) == parent)
        let exited = try group.request("c", SubjectRequest("exit", ["code": "2"]))
        #expect(exited.fields == ["status": "exited", "code": "2"])
        #expect(group.names == ["p"])
        // Over-long requests are refused by the subject, which keeps serving.
        let long = SubjectRequest("ping", ["pad": String(repeating: "x", count: 5000)])
        #expect(throws: SubjectError.failed(process: "p", op: "?", errno: EINVAL, what: "too-long")) {
            try group.request("p", long)
        }
        #expect(try group.request("p", SubjectRequest("exit")).fields == ["status": "exited", "code": "0"])
        #expect(group.names.isEmpty)
    }

    @Test func failedDescriptionNamesProcessOpAndStrerror() {
        let error = SubjectError.failed(process: "parent", op: "mmap", errno: ENOMEM, what: "mmap")
        #expect(error.description == "subject 'parent' failed 'mmap': mmap: Cannot allocate memory (errno 12)")
        #expect(!SubjectError.died(process: "c", op: "fill", status: "killed by signal 9 (SIGKILL)").description.contains("\n"))
    }

    @Test func timeoutKillsAndReapsTheSubject() throws {
        let group = try SubjectGroup(timeout: 10)
        defer { group.terminateAll() }
        let pid = try group.spawn("sleepy")
        let start = SubjectSystem.now()
        #expect(throws: SubjectError.timedOut(process: "sleepy", op: "sleep", seconds: 0.5)) {
            try group.request("sleepy", SubjectRequest("sleep", ["ms": "5000"]), timeout: 0.5)
        }
        #expect(SubjectSystem.now() - start < 3)
        #expect(isGone(pid))
        #expect(!group.isAlive("sleepy"))
        #expect(throws: SubjectError.unknownProcess("sleepy")) { try group.request("sleepy", SubjectRequest("ping")) }
    }

    @Test func killedChildIsReportedAsDiedWithItsSignal() throws {
        let group = try SubjectGroup(timeout: 10)
        defer { group.terminateAll() }
        try group.spawn("parent")
        let child = try group.fork("parent", child: "child")
        #expect(kill(child, SIGKILL) == 0)
        #expect(throws: SubjectError.died(process: "child", op: "ping", status: "killed by signal 9 (SIGKILL)")) {
            try group.request("child", SubjectRequest("ping"))
        }
        #expect(isGone(child))
        #expect(group.names == ["parent"])
    }

    @Test func parentDeathTakesItsChildrenAlong() throws {
        let group = try SubjectGroup(timeout: 10)
        defer { group.terminateAll() }
        let parent = try group.spawn("parent")
        let child = try group.fork("parent", child: "child")
        let grandchild = try group.fork("child", child: "grandchild")
        #expect(parentPid(of: grandchild) == child)
        #expect(try group.exit("parent", code: 7) == "exited with code 7")
        #expect(group.names.isEmpty)
        for pid in [parent, child, grandchild] { #expect(isGone(pid), "pid \(pid) still exists") }
    }

    @Test func externallyKilledParentTakesItsChildAlong() throws {
        let group = try SubjectGroup(timeout: 10)
        defer { group.terminateAll() }
        let parent = try group.spawn("parent")
        let child = try group.fork("parent", child: "child")
        #expect(kill(parent, SIGKILL) == 0)
        // kill(2) returns before the parent has exited. Once it is a zombie, its exit has
        // sent the child PR_SET_PDEATHSIG's SIGKILL, so the child can no longer answer.
        #expect(eventually { processState(parent) == "Z" })
        #expect(throws: SubjectError.died(process: "child", op: "ping", status: "killed by signal 9 (SIGKILL)")) {
            try group.request("child", SubjectRequest("ping"))
        }
        #expect(!group.isAlive("parent"))
        #expect(group.names.isEmpty)
        for pid in [parent, child] { #expect(isGone(pid), "pid \(pid) still exists") }
    }

    @Test func terminateAllLeavesNoProcess() throws {
        let group = try SubjectGroup(timeout: 10)
        var pids = [try group.spawn("a")]
        pids.append(try group.fork("a", child: "b"))
        pids.append(try group.fork("b", child: "c"))
        pids.append(try group.fork("a", child: "d"))
        pids.append(try group.spawn("e"))
        #expect(group.names == ["a", "b", "c", "d", "e"])
        #expect(throws: SubjectError.duplicateProcess("c")) { try group.fork("e", child: "c") }
        #expect(throws: SubjectError.unknownProcess("zz")) { try group.fork("zz", child: "y") }
        group.terminateAll()
        #expect(group.names.isEmpty)
        for pid in pids { #expect(isGone(pid), "pid \(pid) still exists") }
        group.terminateAll()  // idempotent
    }

    @Test func missingSubjectProgramIsReported() {
        #expect(throws: SubjectError.subjectMissing(path: "/nonexistent/cowlab-subject")) {
            _ = try SubjectGroup(subjectPath: "/nonexistent/cowlab-subject")
        }
    }

    @Test func subjectWithWrongObserverPidExits111() throws {
        let path = SubjectGroup.defaultSubjectPath()
        var fds: [Int32] = [-1, -1]
        #expect(cowlab_seqpacket_pair(&fds) == 0)
        defer { close(fds[0]) }
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(path), strdup("1"), strdup("1"), nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        #expect(cowlab_spawn(path, argv, nil, fds[1], &pid) == 0)
        close(fds[1])
        let status = try #require(SubjectSystem.reapOrKill(pid, seconds: 10))
        #expect(SubjectExitStatus(waitStatus: status).description == "exited with code 111")
        // It said nothing: EOF without a hello.
        var buffer = [UInt8](repeating: 0, count: 64)
        var received: Int32 = -1
        var truncated: Int32 = 0
        let n = buffer.withUnsafeMutableBytes { cowlab_recv_message(fds[0], $0.baseAddress!, $0.count, &received, &truncated) }
        #expect(n == 0)
    }
}
