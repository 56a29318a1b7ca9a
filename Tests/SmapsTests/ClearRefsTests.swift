import Testing
@testable import Smaps

#if canImport(Glibc)
import Glibc
#endif

@Suite("clear_refs") struct ClearRefsTests {
    @Test(arguments: [0, 6, -1, 42])
    func outOfRangeValuesAreRejectedBeforeOpening(value: Int) {
        // pid Int32.max does not exist: the range check must come first.
        #expect(throws: ClearRefsError.valueOutOfRange(value)) {
            try clearRefs(pid: Int32.max, value: value)
        }
        #expect(ClearRefsError.valueOutOfRange(value).description.contains("use 1 (all)"))
    }

    @Test func noSuchProcess() {
        #expect(throws: ClearRefsError.noSuchProcess(pid: Int32.max)) {
            try clearRefs(pid: Int32.max, value: 1)
        }
    }

    @Test func errnoMapping() {
        #expect(ClearRefsError(errno: EACCES, pid: 3, path: "/p", atOpen: true) == .permissionDenied(pid: 3, path: "/p"))
        #expect(ClearRefsError(errno: EPERM, pid: 3, path: "/p", atOpen: false) == .permissionDenied(pid: 3, path: "/p"))
        #expect(ClearRefsError(errno: ENOENT, pid: 3, path: "/p", atOpen: true) == .noSuchProcess(pid: 3))
        #expect(ClearRefsError(errno: ESRCH, pid: 3, path: "/p", atOpen: false) == .noSuchProcess(pid: 3))
        #expect(ClearRefsError(errno: EINVAL, pid: 3, path: "/p", atOpen: false) == .failed(path: "/p", errno: EINVAL))
        #expect(ClearRefsError.permissionDenied(pid: 3, path: "/p").description.contains("only the owner of pid 3 or root"))
    }

    /// Writing 1 to our own clear_refs clears the referenced bits: Referenced
    /// drops well below Rss (pages touched since then get it back).
    @Test func clearsOwnReferencedBits() throws {
        let before = try SmapsSnapshot.readRollup(pid: getpid())
        try clearRefs(pid: getpid(), .all)
        let after = try SmapsSnapshot.readRollup(pid: getpid())
        let rss = after.total("Rss")
        #expect(before.total("Referenced") > 0)
        #expect(after.total("Referenced") < rss)
        #expect(after.total("Referenced") < before.total("Referenced"))
        // The other kinds are accepted too (soft-dirty is a no-op without CONFIG_MEM_SOFT_DIRTY).
        for kind in ClearRefsKind.allCases { try clearRefs(pid: getpid(), kind) }
    }

    @Test func fakeProcRootWithoutClearRefs() throws {
        let root = try TemporaryDirectory()
        try root.mkdir("30")
        #expect(throws: ClearRefsError.self) { try clearRefs(pid: 30, value: 1, procRoot: root.path) }
    }
}
