import Foundation
import Testing
@testable import Smaps

@Suite("Renderers") struct RenderTests {
    static let text = """
        00400000-00401000 r-xp 00000000 08:01 10    /bin/prog
        Size:                  4 kB
        Rss:                   4 kB
        Pss:                   2 kB
        Private_Dirty:         0 kB
        VmFlags: rd ex mr mw me
        7f0000401000-7f0000403000 rw-s 00002000 00:05 77    /dev/shm/a "b" (deleted)
        Size:                  8 kB
        Rss:                   8 kB
        Pss:                   8 kB
        Private_Dirty:         8 kB
        THPeligible:    0
        Odd:   x\\y

        """

    @Test func tableIsPmapLike() throws {
        let s = try parse(Self.text, source: "t.smaps")
        #expect(SmapsTable.render(s) == """
            t.smaps: 2 mappings
            Address       Perm  Offset    Device  Inode  Size  Rss  Pss  Private_Dirty  Mapping
            000000400000  r-xp  00000000  08:01      10     4    4    2              0  /bin/prog
            7f0000401000  rw-s  00002000  00:05      77     8    8    8              8  /dev/shm/a "b" (deleted)
                                                           ==   ==   ==              =
                                                           12   12   10              8  kB total
            Pss total: the sum of per-mapping Pss, each truncated to whole kB by the kernel (smaps_rollup's Pss is exact).

            """)
    }

    @Test func tableOfSelectedMappings() throws {
        let s = try parse(Self.text, source: "t")
        let out = SmapsTable.render(s, mappings: s.select("prog"), fields: ["Rss"])
        #expect(out.hasPrefix("t: 1 mapping\n"))
        #expect(out.contains("000400000  r-xp") == false)  // width follows the selection
        #expect(out.contains("00400000  r-xp  00000000  08:01      10    4  /bin/prog"))
    }

    @Test func jsonIsValidAndComplete() throws {
        let s = try parse(Self.text, source: "t")
        let bytes = SmapsJSON.encode(s)
        let object = try #require(JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(object["format"] as? String == "cowlab-smaps/1")
        #expect(object["rollup"] as? Bool == false)
        #expect(object["mapping_count"] as? Int == 2)
        #expect((object["totals_kB"] as? [String: Int])?["Rss"] == 12)
        let list = try #require(object["mappings"] as? [[String: Any]])
        #expect(list[0]["start"] as? String == "400000")
        #expect(list[0]["vmflags"] as? [String] == ["rd", "ex", "mr", "mw", "me"])
        #expect(list[0]["thp_eligible"] == nil)
        #expect(list[1]["pathname"] as? String == "/dev/shm/a \"b\"")
        #expect(list[1]["deleted"] as? Bool == true)
        #expect(list[1]["perms"] as? String == "rw-s")
        #expect(list[1]["offset"] as? String == "00002000")
        #expect(list[1]["device"] as? String == "00:05")
        #expect(list[1]["thp_eligible"] as? Bool == false)
        #expect((list[1]["kB"] as? [String: Int])?["Private_Dirty"] == 8)
        let attributes = try #require(list[1]["attributes"] as? [[String: String]])
        #expect(attributes == [["key": "Odd", "value": "x\\y"]])
    }

    /// Field order survives: JSON objects keep the file's key order in the bytes.
    @Test func jsonKeepsFieldOrder() throws {
        let s = try parse(Self.text, source: "t")
        let text = String(decoding: SmapsJSON.encode(s.mappings[0]), as: UTF8.self)
        #expect(text.contains(#""kB":{"Size":4,"Rss":4,"Pss":2,"Private_Dirty":0}"#))
    }

    @Test(arguments: Fixtures.wellFormed)
    func jsonOfEveryFixtureParses(name: String) throws {
        let s = try Fixtures.snapshot(name)
        let object = try #require(JSONSerialization.jsonObject(with: Data(SmapsJSON.encode(s))) as? [String: Any])
        let list = try #require(object["mappings"] as? [[String: Any]])
        #expect(list.count == s.mappings.count)
        for (json, m) in zip(list, s.mappings) {
            #expect(json["pathname"] as? String == m.pathname)
            #expect((json["kB"] as? [String: UInt64])?.count == Set(m.fieldNames).count)
        }
    }

    @Test func streamedJSONEqualsEncoded() throws {
        let s = try Fixtures.snapshot("android-libmeminfo-smaps")
        let dir = try TemporaryDirectory()
        let path = dir.path + "/out.json"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        #expect(fd >= 0)
        #expect(SmapsJSON.write(s, to: fd) == 0)
        close(fd)
        #expect(try readWholeFile(path) == SmapsJSON.encode(s))
        #expect(SmapsJSON.write(s, to: -5) == -EBADF)
        #expect(SmapsJSON.write(s, to: 9999) == -EBADF)  // a failed write(2) is reported, not a crash
    }

    /// `cowlab snapshot --json` encodes while reading: same bytes as encoding
    /// the finished snapshot. A bad input throws; what was written depends on
    /// whether any mapping was handed over before the failure: the
    /// prometheus fixture (one chunk, the stray archive line at its end)
    /// fails before that and writes nothing.
    @Test(arguments: ["gometrics-smaps", "linux-smaps-perl-smaps", Fixtures.prometheus])
    func jsonWhileReadingEqualsEncodedOrNothing(name: String) throws {
        let path = Fixtures.path(name)
        let dir = try TemporaryDirectory()
        let out = dir.path + "/out.json"
        let fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer { close(fd) }
        do {
            let rc = try SmapsJSON.streamJSON({ try SmapsSnapshot.stream(path: path, each: $0) }, source: path, to: fd)
            #expect(rc == 0)
            #expect(try readWholeFile(out) == SmapsJSON.encode(try SmapsSnapshot.read(path: path)))
        } catch let error as SmapsError {
            #expect(name == Fixtures.prometheus, "\(error)")
            #expect(try readWholeFile(out).isEmpty)
        }
    }

    /// A failure midway, after mappings were written: the error is thrown and
    /// the output is an incomplete document (the exit status tells).
    @Test func jsonWhileReadingFailsMidway() throws {
        let dir = try TemporaryDirectory()
        let path = try brokenInTheMiddle("gometrics-smaps", in: dir).path
        let out = dir.path + "/out.json"
        let fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer { close(fd) }
        #expect(throws: SmapsError.self) {
            _ = try SmapsJSON.streamJSON({ try SmapsSnapshot.stream(path: path, each: $0) }, source: path, to: fd)
        }
        let partial = try readWholeFile(out)
        #expect(String(decoding: partial, as: UTF8.self).hasPrefix("{\"format\":\"cowlab-smaps/1\""))
        #expect(partial.count > 100_000)
        #expect((try? JSONSerialization.jsonObject(with: Data(partial))) == nil)
    }

    @Test func liveJSONWhileReading() throws {
        let dir = try TemporaryDirectory()
        let out = dir.path + "/out.json"
        let fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer { close(fd) }
        _ = try SmapsJSON.streamJSON(
            { try SmapsSnapshot.stream(pid: getpid(), file: "smaps", procRoot: "/proc", each: $0) },
            source: "/proc/self/smaps", to: fd)
        let object = try #require(JSONSerialization.jsonObject(with: Data(try readWholeFile(out))) as? [String: Any])
        let list = try #require(object["mappings"] as? [[String: Any]])
        #expect(list.count == object["mapping_count"] as? Int)
        #expect(list.count > 10)
    }

    @Test func jsonEscapesControlCharacters() {
        var w = ByteWriter()
        w.jsonString("a\u{1}\n\t\"\\é")
        #expect(String(decoding: w.bytes, as: UTF8.self) == #""a\u0001\n\t\"\\é""#)
        var n = ByteWriter()
        n.decimal(0)
        n.byte(UInt8(ascii: " "))
        n.decimal(UInt64.max)
        n.byte(UInt8(ascii: " "))
        n.signed(-42)
        n.byte(UInt8(ascii: " "))
        n.hex(0xabc, minimumWidth: 8)
        #expect(String(decoding: n.bytes, as: UTF8.self) == "0 18446744073709551615 -42 00000abc")
    }

    @Test func diffTable() throws {
        let a = try parse(DiffTests.before, source: "a")
        let b = try parse(DiffTests.after, source: "b")
        let out = SmapsDiffTable.render(SmapsDiff(from: a, to: b), before: a, after: b)
        #expect(out == """
            A: a (3 mappings)
            B: b (3 mappings)
            1 new, 2 changed, 1 gone, 0 unchanged

            Change   Address  Perm  Field          Before  After  Delta  Mapping
            new      b000     rw-p  Rss                 -      4     +4
            changed  1000     rw-p  Shared_Dirty        4      0     -4  [heap]
                                    Private_Dirty       0      4     +4
            changed  3000     r--p  Size                8     12     +4  /lib/a.so
                                    end              5000   6000
            gone     9000     rw-p  Rss                 0      -     -0

            Totals (kB)    Before  After  Delta
            Size               16     20     +4
            Rss                12     16     +4
            Shared_Dirty        4      0     -4
            Private_Dirty       0      8     +8

            """)
    }
}
