import Foundation
import Testing
@testable import Smaps

@Suite("Fixtures") struct FixtureTests {
    /// Every fixture parses (the prometheus one without its archive lines) and
    /// agrees with the plain reference parser on every mapping and every total.
    @Test(arguments: Fixtures.all)
    func parsesAndMatchesReference(name: String) throws {
        let bytes = try Fixtures.smapsBytes(name)
        let snapshot = try SmapsSnapshot(parsing: bytes, source: name)
        let reference = ReferenceParse(String(decoding: bytes, as: UTF8.self))

        #expect(snapshot.mappings.count == reference.entries.count)
        #expect(!snapshot.mappings.isEmpty)
        for key in reference.keys {
            #expect(snapshot.total(key) == reference.total(key), "total \(key)")
        }
        for (m, r) in zip(snapshot.mappings, reference.entries) {
            #expect(m.start == r.start && m.end == r.end)
            #expect(m.pathname == r.pathname)
            #expect(m.fieldNames == r.fields.map(\.0))
            #expect(r.fields.allSatisfy { m.kilobytes($0.0) == $0.1 })
            #expect(m.vmFlags == r.vmFlags)
        }
    }

    @Test(arguments: Fixtures.wellFormed)
    func readFromDiskEqualsParsedBytes(name: String) throws {
        let fromDisk = try SmapsSnapshot.read(path: Fixtures.path(name))
        let fromBytes = try SmapsSnapshot(parsing: Fixtures.bytes(name), source: name)
        #expect(fromDisk.mappings == fromBytes.mappings)
        #expect(fromDisk.source == Fixtures.path(name))
    }

    /// Streaming in small chunks (lines split across reads) gives the same result.
    @Test(arguments: [1, 7, 64, 4096])
    func chunkedFeedEqualsWholeParse(chunk: Int) throws {
        let bytes = try Fixtures.bytes("android-libmeminfo-smaps_short")
        var parser = SmapsParser(source: "chunks")
        var pending: [UInt8] = []
        var offset = 0
        while offset < bytes.count {
            pending += bytes[offset..<min(offset + chunk, bytes.count)]
            offset += chunk
            let used = try pending.withUnsafeBytes { try parser.feed($0) }
            pending.removeFirst(used)
        }
        let mappings = try pending.withUnsafeBytes { try parser.finish(unconsumed: $0.count, tail: $0) }
        #expect(mappings == (try SmapsSnapshot(parsing: bytes, source: "whole")).mappings)
    }

    /// The read-ahead path: tiny slots force many reads, the reader thread,
    /// and lines carried across slots.
    @Test(arguments: [1, 5, 64, 4096, 1 << 18])
    func pipelinedReadEqualsWholeParse(slotSize: Int) throws {
        try readEqualsWholeParse(slotSize: slotSize, readAhead: true)
        try readEqualsWholeParse(slotSize: slotSize, readAhead: false)
    }

    func readEqualsWholeParse(slotSize: Int, readAhead: Bool) throws {
        let name = "linux-smaps-perl-smaps-VmFlags"
        var parser = SmapsParser(source: "ring")
        var carrier = LineCarrier()
        let mappings = try pipelinedRead(
            Fixtures.path(name), slotSize: slotSize, slots: 3, readAhead: readAhead,
            consume: { try carrier.feed($0, to: &parser) },
            finish: { try carrier.leftover.withUnsafeBytes { try parser.finish(unconsumed: $0.count, tail: $0) } })
        #expect(mappings == (try SmapsSnapshot(parsing: Fixtures.bytes(name), source: "whole")).mappings)
    }

    /// Streaming (`cowlab snapshot --json`) hands over every mapping once, in
    /// order, equal to a whole read, on both paths: in this thread, and with
    /// the helper thread and tiny slots (many chunks, the value block reused
    /// between them). Mappings kept by the caller stay valid: a block is only
    /// refilled when nothing holds it.
    @Test(arguments: [nil, 64, 4096], [false, true])
    func streamHandsOverEveryMappingOnce(slotSize: Int?, readAhead: Bool) throws {
        for name in ["gometrics-smaps", "linux-smaps-perl-smaps-VmFlags", "android-libmeminfo-smaps"] {
            var streamed: [Mapping] = []
            var batches = 0
            try SmapsSnapshot.stream(path: Fixtures.path(name), slotSize: slotSize, readAhead: readAhead) {
                streamed.append(contentsOf: $0)
                batches += 1
            }
            #expect(streamed == (try Fixtures.snapshot(name)).mappings, "\(name)")
            if slotSize != nil { #expect(batches > 1, "\(name)") }
        }
    }

    /// A failure in the consumer (a malformed line) stops the reader and is
    /// thrown as it is, located, on the two-thread path too.
    @Test func streamFailureOnTheHelperThread() throws {
        let dir = try TemporaryDirectory()
        let (path, broken) = try brokenInTheMiddle("gometrics-smaps", in: dir)
        let streamed = thrownError { try SmapsSnapshot.stream(path: path, slotSize: 4096, readAhead: true) { _ in } }
        let whole = thrownError { _ = try SmapsSnapshot(parsing: broken, source: path) }
        #expect(streamed != nil)
        #expect(streamed == whole)
    }

    /// A file cut mid-line is reported at the same place whether read from
    /// disk (in chunks) or parsed from memory.
    @Test func truncatedFileOnDisk() throws {
        let bytes = Array(try Fixtures.bytes("gometrics-smaps").prefix(1_000_003))
        let dir = try TemporaryDirectory()
        let path = dir.path + "/cut"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let fromDisk = thrownError { _ = try SmapsSnapshot.read(path: path) }
        let fromMemory = thrownError { _ = try SmapsSnapshot(parsing: bytes, source: path) }
        #expect(fromDisk == fromMemory)
        guard case .malformed(_, _, let offset, let message)? = fromDisk else {
            Issue.record("expected .malformed")
            return
        }
        #expect(offset == 1_000_003)
        #expect(message.hasPrefix("truncated"))
    }

    @Test func oldKernelWithoutPss() throws {
        let s = try Fixtures.snapshot("linux-smaps-perl-smaps")
        #expect(s.mappings.allSatisfy { $0.kilobytes("Pss") == nil })
        #expect(s.total("Pss") == 0)
        #expect(s.mappings[0].start == 0x0804_8000)  // 32-bit addresses
        #expect(s.mappings[0].fieldNames == ["Size", "Rss", "Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty"])
        #expect(s.mappings.contains { $0.pathname == "[heap]" })
        #expect(s.mappings.contains { $0.pathname == "[stack]" })
    }

    @Test func sixtyFourBitAddresses() throws {
        let s = try Fixtures.snapshot("linux-smaps-perl-smaps64")
        #expect(s.mappings[0].start == 0x2aaa_aaaa_b000)
        #expect(s.mappings[0].pathname == "/lib64/ld-2.5.so")
        #expect(s.mappings[1].pathname == "")
    }

    @Test func vmFlagsAndDuplicatedVdso() throws {
        let flags = try Fixtures.snapshot("linux-smaps-perl-smaps-VmFlags")
        #expect(flags.mappings[0].vmFlags == ["rd", "ex", "mr", "mw", "me", "dw"])
        let vdso = try Fixtures.snapshot("linux-smaps-perl-double-vdso")
        #expect(vdso.mappings.filter { $0.pathname == "[vdso]" }.count == 2)
        #expect(vdso.mapping(containing: 0xffff_e800)?.pathname == "[vdso]")
    }

    @Test func androidNamesAndDeletedFiles() throws {
        let s = try Fixtures.snapshot("android-app-memory-analysis-smaps")
        #expect(s.mappings.count == 4068)
        let first = s.mappings[0]
        #expect(first.pathname == "[anon:dalvik-main space (region space)]")
        #expect(first.name == "[anon:dalvik-main space (region space)]")
        #expect(first.thpEligible == false)
        #expect(first.kilobytes("Size") == 1_048_576)
        let deleted = s.mappings.filter(\.isDeleted)
        #expect(deleted.contains { $0.pathname == "/memfd:jit-zygote-cache" && $0.isShared })
        #expect(deleted.allSatisfy { !$0.pathname.hasSuffix("(deleted)") })
        #expect(deleted.first?.displayName == "/memfd:jit-zygote-cache (deleted)")
    }

    @Test func pathnamesWithSpaces() throws {
        let s = try Fixtures.snapshot("gometrics-smaps")
        #expect(s.mappings.count == 3227)
        let font = "/home/gustavo/Documents/dotfiles/.fonts/powerline/SpaceMono/Space Mono for Powerline.ttf"
        #expect(s.mappings.first { $0.start == 0x7ff9_1a48_2000 }?.pathname == font)
        #expect(s.total("Rss", pathname: font) == s.mappings.filter { $0.pathname == font }.reduce(0) { $0 + $1.kilobytes("Rss")! })
    }
}
