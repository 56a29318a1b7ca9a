import Foundation
import Testing
@testable import Smaps

#if canImport(Glibc)
import Glibc
#endif

@Suite("Frontend") struct FrontendTests {
    @Test func targets() throws {
        #expect(try SmapsFrontend.Target("123") == .pid(123))
        #expect(try SmapsFrontend.Target("./123") == .file("./123"))
        #expect(try SmapsFrontend.Target("/proc/self/smaps") == .file("/proc/self/smaps"))
        for bad in ["0", "99999999999", ""] {
            #expect(throws: SmapsFrontend.Failure.self) { try SmapsFrontend.Target(bad) }
        }
    }

    struct ExitCase: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var rollup: Bool
        var mapping: String?
        var code: Int32
        var message: String
        var testDescription: String { "\(arguments) rollup=\(rollup) mapping=\(mapping ?? "-")" }
    }

    static let exitCases: [ExitCase] = [
        ExitCase(arguments: ["2147483647"], rollup: false, mapping: nil, code: 3, message: "no process with pid 2147483647"),
        ExitCase(arguments: ["/nonexistent/smaps"], rollup: false, mapping: nil, code: 3, message: "cannot read /nonexistent/smaps: No such file or directory (errno 2)"),
        ExitCase(arguments: [Fixtures.path(Fixtures.prometheus)], rollup: false, mapping: nil, code: 3, message: ":254: byte 7577: unexpected comment or archive line"),
        ExitCase(arguments: [Fixtures.path("gometrics-smaps")], rollup: true, mapping: nil, code: 64, message: "--rollup needs a pid"),
        ExitCase(arguments: ["0"], rollup: false, mapping: nil, code: 64, message: "'0' is not a valid pid"),
        ExitCase(arguments: [Fixtures.path("gometrics-smaps")], rollup: false, mapping: "0x10", code: 3, message: "no mapping contains address 0x10"),
        ExitCase(arguments: [Fixtures.path("gometrics-smaps")], rollup: false, mapping: "nope.so", code: 3, message: "no mapping is named 'nope.so'"),
    ]

    @Test(arguments: exitCases)
    func failuresCarryExitCodes(c: ExitCase) {
        do {
            _ = try SmapsFrontend.snapshot(target: c.arguments[0], rollup: c.rollup, mapping: c.mapping)
            Issue.record("expected a failure")
        } catch let failure as SmapsFrontend.Failure {
            #expect(failure.exitCode == c.code)
            #expect(failure.message.contains(c.message), "\(failure.message)")
            #expect(!failure.message.contains("\n"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func snapshotOfSelf() throws {
        let table = String(decoding: try SmapsFrontend.snapshot(target: String(getpid())), as: UTF8.self)
        #expect(table.hasPrefix("/proc/\(getpid())/smaps: "))
        #expect(table.contains("kB total"))
        let json = try SmapsFrontend.snapshot(target: String(getpid()), json: true, rollup: true)
        let object = try #require(JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
        #expect(object["rollup"] as? Bool == true)
        let stack = try SmapsFrontend.snapshot(target: String(getpid()), mapping: "[stack]")
        #expect(String(decoding: stack, as: UTF8.self).contains("[stack]"))
    }

    @Test func selection() throws {
        let s = try Fixtures.snapshot("linux-smaps-perl-smaps")
        #expect(s.select("httpd").count == 3)
        #expect(s.select("/opt/apache22-worker/sbin/httpd").count == 3)
        #expect(s.select("[heap]").map(\.start) == [0x080a_e000])
        #expect(s.select("0x080ae010").map(\.pathname) == ["[heap]"])
        #expect(s.select("80ae010").map(\.pathname) == ["[heap]"])
        #expect(MappingSelector.address("libc.so") == nil)
        #expect(MappingSelector.address("0x") == nil)
    }

    @Test func diffOfFiles() throws {
        let out = String(decoding: try SmapsFrontend.diff(
            Fixtures.path("linux-smaps-perl-single-vdso"), Fixtures.path("linux-smaps-perl-double-vdso")), as: UTF8.self)
        #expect(out.contains("1 new, 0 changed, 0 gone, 25 unchanged"))
        #expect(throws: SmapsFrontend.Failure.self) { try SmapsFrontend.diff("/nonexistent", "1") }
    }
}
