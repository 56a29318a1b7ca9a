#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Testing

@testable import CowLab

/// The mapping lines of /proc/PID/maps as (start, end) address pairs.
private func mappings(_ pid: Int32) throws -> [(start: UInt64, end: UInt64)] {
    let fd = open("/proc/\(pid)/maps", O_RDONLY | O_CLOEXEC)
    try #require(fd >= 0)
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        bytes += chunk[..<n]
    }
    return String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { line in
        let range = line.prefix { $0 != " " }.split(separator: "-")
        guard range.count == 2, let s = UInt64(range[0], radix: 16), let e = UInt64(range[1], radix: 16) else { return nil }
        return (s, e)
    }
}

/// The `mmap` op's isolation and `align=`, and the `copy` op, through the real subject.
@Suite("Subject mmap and copy", .serialized, .timeLimit(.minutes(1)))
struct SubjectMmapCopyTests {
    static let page = UInt64(sysconf(Int32(_SC_PAGESIZE)))

    func mmap(_ group: SubjectGroup, _ region: String, size: UInt64, align: UInt64? = nil) throws -> (addr: UInt64, len: UInt64) {
        var args: [(key: String, value: String)] = [("region", region), ("size", String(size)), ("kind", "anon"),
                                                     ("share", "private"), ("prot", "rw")]
        if let align { args.append(("align", String(align))) }
        let reply = try group.request("s", SubjectRequest(op: "mmap", arguments: args))
        let addr = try #require(reply["addr"].flatMap { UInt64($0.dropFirst(2), radix: 16) })
        return (addr, try #require(reply.uint64("len")))
    }

    @Test("an anonymous mmap region is a mapping of its own, with unmapped space on both sides")
    func ownMapping() throws {
        let group = try SubjectGroup(timeout: 10)
        defer { group.terminateAll() }
        let pid = try group.spawn("s")
        // Without isolation the first anonymous mmap would merge with the TLS block
        // ld.so mapped, and consecutive ones with each other.
        let a = try mmap(group, "a", size: 64 * 1024)
        let b = try mmap(group, "b", size: 64 * 1024)
        let maps = try mappings(pid)
        for r in [a, b] {
            #expect(maps.contains { $0.start == r.addr && $0.end == r.addr + r.len }, "no mapping is exactly the region at \(String(r.addr, radix: 16))")
            #expect(!maps.contains { $0.end == r.addr }, "something is mapped right below the region")
            #expect(!maps.contains { $0.start == r.addr + r.len }, "something is mapped right above the region")
        }
    }

    @Test("align= places the mapping at a multiple of the alignment", arguments: [2 * 1024 * 1024, 64 * 1024] as [UInt64])
    func aligned(align: UInt64) throws {
        let group = try SubjectGroup(timeout: 10)
        defer { group.terminateAll() }
        let pid = try group.spawn("s")
        let r = try mmap(group, "huge", size: 2 * 1024 * 1024, align: align)
        #expect(r.addr % align == 0)
        #expect(try mappings(pid).contains { $0.start == r.addr && $0.end == r.addr + r.len })
        // The region works like any other: fill, check, munmap.
        try group.request("s", SubjectRequest("fill", ["region": "huge", "byte": "9"]))
        #expect(try group.request("s", SubjectRequest("check", ["region": "huge", "byte": "9"]))["match"] == "1")
        try group.request("s", SubjectRequest("munmap", ["region": "huge"]))
        #expect(try !mappings(pid).contains { $0.start == r.addr })
    }

    @Test("copy writes all of one region over the start of another")
    func copy() throws {
        let group = try SubjectGroup(timeout: 10)
        defer { group.terminateAll() }
        try group.spawn("s")
        try group.request("s", SubjectRequest("malloc", ["region": "old", "size": "8192"]))
        try group.request("s", SubjectRequest("fill", ["region": "old", "byte": "97"]))
        try group.request("s", SubjectRequest("malloc", ["region": "new", "size": "4096"]))
        try group.request("s", SubjectRequest("fill", ["region": "new", "byte": "98"]))
        let reply = try group.request("s", SubjectRequest("copy", ["from": "new", "to": "old"]))
        #expect(reply["bytes"] == "4096")
        #expect(try group.request("s", SubjectRequest("check", ["region": "old", "byte": "98", "length": "4096"]))["match"] == "1")
        #expect(try group.request("s", SubjectRequest("check", ["region": "old", "byte": "97", "offset": "4096"]))["match"] == "1")
        #expect(try group.request("s", SubjectRequest("check", ["region": "new", "byte": "98"]))["match"] == "1")
    }

    @Test("bad align and copy requests are refused and change nothing", arguments: [
        ("mmap region=m size=4096 kind=anon share=private prot=rw align=12288", EINVAL, "bad-argument"),
        ("mmap region=m size=4096 kind=anon share=private prot=rw align=0", EINVAL, "bad-argument"),
        ("mmap region=m size=4096 kind=anon share=private prot=rw align=2048", EINVAL, "bad-argument"),
        ("copy from=small to=nope", EINVAL, "unknown-region"),
        ("copy from=small to=small", EINVAL, "out-of-range"),
        ("copy from=big to=small", EINVAL, "out-of-range"),
        ("copy from=small", EINVAL, "missing-argument"),
        ("copy from=small to=big length=1", EINVAL, "unknown-key"),
    ])
    func refused(line: String, code: Int32, what: String) throws {
        let group = try SubjectGroup(timeout: 10)
        defer { group.terminateAll() }
        try group.spawn("s")
        try group.request("s", SubjectRequest("malloc", ["region": "small", "size": "4096"]))
        try group.request("s", SubjectRequest("fill", ["region": "small", "byte": "1"]))
        try group.request("s", SubjectRequest("malloc", ["region": "big", "size": "8192"]))
        try group.request("s", SubjectRequest("fill", ["region": "big", "byte": "2"]))
        group.expectRefused("s", line: line, errno: code, what: what)
        // Nothing changed: no region m, and both buffers keep their bytes.
        #expect(try group.request("s", SubjectRequest("check", ["region": "small", "byte": "1"]))["match"] == "1")
        #expect(try group.request("s", SubjectRequest("check", ["region": "big", "byte": "2"]))["match"] == "1")
        #expect(throws: SubjectError.failed(process: "s", op: "fill", errno: EINVAL, what: "unknown-region")) {
            try group.request("s", SubjectRequest("fill", ["region": "m", "byte": "1"]))
        }
    }
}

/// Kernel placement is kept: what the subject does to keep a region apart must not move
/// it off the page-table boundary the kernel chose (fault-around and THP depend on it).
@Suite("Subject mmap placement", .serialized, .timeLimit(.minutes(1)))
struct SubjectMmapPlacementTests {
    static var kernelAtLeast6_7: Bool {
        var u = utsname()
        uname(&u)
        let release = withUnsafeBytes(of: &u.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let parts = release.split(separator: ".").prefix(2).compactMap { Int($0.prefix { $0.isNumber }) }
        return parts.count == 2 && (parts[0], parts[1]) >= (6, 7)
    }

    @Test("a PMD-multiple anonymous region stays on the PMD boundary the kernel picks (Linux 6.7+)",
          .enabled(if: kernelAtLeast6_7))
    func pmdMultipleStaysAligned() throws {
        let group = try SubjectGroup(timeout: 10)
        defer { group.terminateAll() }
        try group.spawn("s")
        let pmd = UInt64(sysconf(Int32(_SC_PAGESIZE))) / UInt64(MemoryLayout<UInt>.size) * UInt64(sysconf(Int32(_SC_PAGESIZE)))
        // Two in a row: the second would land next to the first without the isolation.
        for name in ["a", "b"] {
            let reply = try group.request("s", SubjectRequest(op: "mmap", arguments: [
                ("region", name), ("size", String(2 * pmd)), ("kind", "anon"), ("share", "private"), ("prot", "rw"),
            ]))
            let addr = try #require(reply["addr"].flatMap { UInt64($0.dropFirst(2), radix: 16) })
            #expect(addr % pmd == 0, "\(name) at \(String(addr, radix: 16)) is not on a \(pmd)-byte boundary")
        }
    }
}
