#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CCowlabShim

/// Thin system-call helpers for the subject driver: monotonic time, bounded polls and
/// waits, wait-status text. Calls that can be interrupted retry EINTR.
enum SubjectSystem {
    /// Seconds on CLOCK_MONOTONIC. The corresponding C function is `clock_gettime`.
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func sleep(seconds: Double) {
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR {
            request = remaining
        }
    }

    enum PollResult { case ready(Int16), timedOut, failed(Int32), interrupted(Int32) }

    /// Waits until `fd` is readable, hung up or in error, or `deadline` passes.
    /// The corresponding C function is `poll`.
    static func pollReadable(_ fd: Int32, until deadline: Double) -> PollResult {
        while true {
            let remaining = deadline - now()
            let ms = remaining <= 0 ? 0 : Int32(min(remaining * 1000, Double(Int32.max)).rounded(.up))
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let rc = poll(&pfd, 1, ms)
            if rc > 0 { return .ready(pfd.revents) }
            if rc == 0 {
                if now() >= deadline { return .timedOut }
                continue
            }
            if errno != EINTR { return .failed(errno) }
            let signal = cowlab_interrupted_signal()
            if signal != 0 { return .interrupted(signal) }
        }
    }

    /// Whether `fd` reports a hang-up right now (without reading anything).
    static func hungUp(_ fd: Int32) -> Bool {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&pfd, 1, 0) > 0 && (pfd.revents & Int16(POLLHUP | POLLERR | POLLNVAL)) != 0
    }

    /// Reaps `pid` (which must be, or become, our child) before `deadline`, polling with
    /// WNOHANG. ECHILD means "not (yet) ours": while the process still exists it may be
    /// about to be reparented to us (we are a child subreaper), so keep trying; once it is
    /// gone, someone else reaped it. Returns the wait status, or nil.
    /// The corresponding C function is `waitpid`.
    static func reap(_ pid: Int32, until deadline: Double) -> Int32? {
        var pause = 0.0005
        while true {
            var status: Int32 = 0
            let rc = waitpid(pid, &status, WNOHANG)
            if rc == pid { return status }
            if rc < 0 {
                if errno == EINTR { continue }
                if errno == ECHILD && kill(pid, 0) != 0 && errno == ESRCH { return nil }
            }
            if now() >= deadline { return nil }
            sleep(seconds: pause)
            pause = min(pause * 2, 0.02)
        }
    }

    /// Reaps `pid` within `seconds`; if it is still there then, SIGKILLs it and tries one
    /// more second. Returns the wait status, or nil.
    static func reapOrKill(_ pid: Int32, seconds: Double) -> Int32? {
        if let status = reap(pid, until: now() + seconds) { return status }
        kill(pid, SIGKILL)
        return reap(pid, until: now() + 1)
    }

    /// "killed by signal 9 (SIGKILL)".
    static func signalText(_ signal: Int32) -> String {
        if let abbrev = cowlab_signal_abbrev(signal) {
            return "killed by signal \(signal) (SIG\(String(cString: abbrev)))"
        }
        return "killed by signal \(signal)"
    }

    static func errnoText(_ code: Int32) -> String {
        "\(String(cString: strerror(code))) (errno \(code))"
    }

    /// The target of a symbolic link such as /proc/self/exe. The corresponding C function
    /// is `readlink`.
    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
