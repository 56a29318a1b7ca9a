import Foundation
import Testing

@testable import CowLab

@Suite("Quiescence: waiting until a subject sleeps", .serialized, .timeLimit(.minutes(1)))
struct QuiescenceTests {
    /// A fake /proc with one stat file per pid.
    func fakeProc(_ stats: [Int32: String]) throws -> String {
        let root = NSTemporaryDirectory() + "cowlab-quiescence-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        for (pid, text) in stats {
            try FileManager.default.createDirectory(atPath: "\(root)/\(pid)", withIntermediateDirectories: true)
            try text.write(toFile: "\(root)/\(pid)/stat", atomically: true, encoding: .utf8)
        }
        return root
    }

    @Test("the state letter follows the last ')' of the command name")
    func parsesState() throws {
        let root = try fakeProc([7: "7 (a) b) c) R 1 7 7 0 -1", 8: "8 (subject) S 1 8 8 0 -1", 9: "9 (x)"])
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(Quiescence.state(of: 7, procRoot: root) == "R")
        #expect(Quiescence.state(of: 8, procRoot: root) == "S")
        #expect(Quiescence.state(of: 9, procRoot: root) == nil)
        #expect(Quiescence.state(of: 10, procRoot: root) == nil)
        #expect(Quiescence.waitUntilAsleep(8, timeout: 0.01, procRoot: root))
        #expect(Quiescence.waitUntilAsleep(10, timeout: 0.01, procRoot: root), "a pid that is gone does not block")
        #expect(!Quiescence.waitUntilAsleep(7, timeout: 0.01, procRoot: root), "a running process times out")
    }

    @Test("a subject that has replied is soon asleep, parent and forked child alike")
    func subjectSleepsAfterReplying() throws {
        let group = try SubjectGroup(timeout: 10)
        defer { group.terminateAll() }
        let parent = try group.spawn("p")
        try group.request("p", SubjectRequest("malloc", ["region": "buf", "size": "65536"]))
        #expect(Quiescence.waitUntilAsleep(parent, timeout: 5))
        #expect(Quiescence.state(of: parent) == "S")
        let child = try group.fork("p", child: "c")
        #expect(Quiescence.waitUntilAsleep(parent, timeout: 5))
        #expect(Quiescence.waitUntilAsleep(child, timeout: 5))
        #expect(Quiescence.state(of: child) == "S")
    }
}
