import Smaps
import Foundation

/// Waiting until a subject is asleep on its control socket.
///
/// A subject sends its reply and only then returns to `recvmsg`: for a moment after the
/// observer has the reply, the subject still runs (it returns from the handler and calls
/// `recvmsg`, touching its stack and its static data). A snapshot taken in that moment
/// can miss a copy-on-write those accesses cause, and a `clear_refs` written in it is
/// partly undone by them (a stack page shows as Referenced again). So before reading
/// smaps, and before writing clear_refs, the observer waits until every subject sleeps.
enum Quiescence {
    /// The state letter of `/proc/PID/stat` ("R", "S", "D", "Z"...), nil once the pid is gone.
    static func state(of pid: Int32, procRoot: String = "/proc") -> Character? {
        guard let bytes = try? readWholeFile("\(procRoot)/\(pid)/stat"),
              let paren = bytes.lastIndex(of: UInt8(ascii: ")")), paren + 2 < bytes.count else { return nil }
        return Character(Unicode.Scalar(bytes[paren + 2]))
    }

    /// Waits until `pid` is asleep ("S": a subject blocks only in `recvmsg` on its control
    /// socket) or gone, for at most `timeout` seconds. False on timeout.
    static func waitUntilAsleep(_ pid: Int32, timeout: Double, procRoot: String = "/proc") -> Bool {
        let deadline = SubjectSystem.now() + timeout
        while true {
            guard let s = state(of: pid, procRoot: procRoot), s != "S" else { return true }
            if SubjectSystem.now() > deadline { return false }
            SubjectSystem.sleep(seconds: 0.00005)
        }
    }
}
