#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// JSON for tools: `cowlab snapshot PID --json`.

/// Encodes snapshots as JSON (format `cowlab-smaps/1`), by hand into bytes:
/// JSONEncoder would spend more time than the kernel takes to produce smaps.
///
/// ```
/// {"format":"cowlab-smaps/1","source":"/proc/42/smaps","mappings":[
///  {"start":"55601fac3000","end":"55601fac4000","perms":"r--p","offset":"00000000",
///   "device":"fe:00","inode":16221269,"pathname":"/bin/cat","deleted":false,
///   "kB":{"Size":4,"Rss":4,...},"vmflags":["rd","mr"],"thp_eligible":false},
///  ...
/// ],
/// "mapping_count":2,"rollup":false,
/// "totals_kB":{"Size":8,"Rss":8,...}}
/// ```
///
/// The mappings come first and the summary last so that the JSON can be
/// produced while the input is still being read.
///
/// Addresses and offsets are hex strings (64-bit values do not survive a
/// JavaScript number). kB fields keep the file's order and unknown keys.
/// `thp_eligible`, `protection_key`, `name` (Android) and `attributes`
/// (other non-kB lines, as `{"key":…,"value":…}`) appear only when present.
/// `totals_kB` sums each field over all mappings; its Pss is the sum of the
/// per-mapping values, each truncated to whole kB by the kernel, so it is a
/// little below the Pss of `smaps_rollup`.
public enum SmapsJSON {
    public static let format = "cowlab-smaps/1"

    /// The whole snapshot, or only `mappings` when given (for `--mapping`).
    public static func encode(_ snapshot: SmapsSnapshot, mappings selected: [Mapping]? = nil) -> [UInt8] {
        var w = ByteWriter(capacity: 64 + (selected ?? snapshot.mappings).count * 700)
        encode(snapshot, mappings: selected, into: &w)
        return w.bytes
    }

    /// Streams the JSON of `encode` to `fd` through a small buffer (no 5 MB
    /// array for 10,000 mappings). Returns 0 or the negated errno of write(2).
    @discardableResult
    public static func write(_ snapshot: SmapsSnapshot, mappings selected: [Mapping]? = nil, to fd: Int32) -> Int32 {
        guard fd >= 0 else { return -EBADF }
        var w = ByteWriter(streamingTo: fd)
        encode(snapshot, mappings: selected, into: &w)
        w.flush()
        return w.writeError
    }

    static func encode(_ snapshot: SmapsSnapshot, mappings selected: [Mapping]?, into w: inout ByteWriter) {
        let list = selected ?? snapshot.mappings
        var encoder = Incremental(source: snapshot.source)
        encoder.begin(into: &w)
        encoder.add(list[...], into: &w)
        encoder.end(into: &w)
    }

    /// Writes the JSON of a snapshot piece by piece: the head, then mappings
    /// as they are parsed, then the summary of everything added (so the
    /// mappings need not be kept).
    struct Incremental {
        var source: String
        var count = 0
        var keys = LayoutKeys()
        var sums = FieldTotals()
        var firstIsRollup = false

        init(source: String) { self.source = source }

        func begin(into w: inout ByteWriter) {
            w.ascii("{\"format\":")
            w.jsonString(SmapsJSON.format)
            w.ascii(",\"source\":")
            w.jsonString(source)
            w.ascii(",\"mappings\":[")
        }

        mutating func add(_ mappings: ArraySlice<Mapping>, into w: inout ByteWriter) {
            if count == 0, let first = mappings.first { firstIsRollup = first.isRollup }
            sums.add(mappings)
            mappings.withUnsafeBufferPointer { buffer in
                for i in buffer.indices {
                    if count > 0 { w.byte(Ascii.comma) }
                    w.byte(Ascii.newline)
                    SmapsJSON.encode(buffer[i], into: &w, keys: &keys)
                    count += 1
                }
            }
        }

        /// The summary of the mappings added: their count, whether they are a
        /// smaps_rollup (one `[rollup]` mapping, as `SmapsSnapshot.isRollup`)
        /// and their totals (as `SmapsSnapshot.totals()`).
        func end(into w: inout ByteWriter) {
            w.ascii("\n],\n\"mapping_count\":")
            w.decimal(UInt64(count))
            w.ascii(",\"rollup\":")
            if count == 1 && firstIsRollup { w.ascii("true") } else { w.ascii("false") }
            w.ascii(",\n\"totals_kB\":{")
            for (i, total) in sums.totals.enumerated() {
                if i > 0 { w.byte(Ascii.comma) }
                w.jsonString(total.name)
                w.byte(Ascii.colon)
                w.decimal(total.kilobytes)
            }
            w.ascii("}}\n")
        }
    }

    /// Streams a target's JSON to `fd`: `stream` (a `SmapsSnapshot.stream`)
    /// hands over each batch of mappings as soon as it is parsed, while the
    /// kernel is still producing the rest; they are encoded, written through
    /// a 64 KiB buffer and dropped. No output-sized or input-sized memory at
    /// all (fresh pages are expensive; 5 MB of JSON for 10,000 mappings were
    /// once a third of `cowlab snapshot --json`). If reading or parsing fails
    /// midway, the error is thrown and `fd` holds an incomplete document:
    /// check the exit status. A failure before the first mapping writes nothing. Returns 0 or the negated errno of the first
    /// failed write(2).
    static func streamJSON(_ stream: (SmapsSnapshot.Progress) throws -> Void, source: String, to fd: Int32) throws -> Int32 {
        guard fd >= 0 else { return -EBADF }
        var w = ByteWriter(streamingTo: fd)
        var encoder = Incremental(source: source)
        encoder.begin(into: &w)
        do {
            try stream { encoder.add($0, into: &w) }
            encoder.end(into: &w)
        } catch {
            // Nothing parsed (no such pid, unreadable file...): print nothing
            // rather than a document head.
            if encoder.count > 0 { w.flush() }
            throw error
        }
        w.flush()
        return w.writeError
    }

    /// One mapping as a JSON object.
    public static func encode(_ mapping: Mapping) -> [UInt8] {
        var w = ByteWriter(capacity: 1024)
        var keys = LayoutKeys()
        encode(mapping, into: &w, keys: &keys)
        return w.bytes
    }

    /// The `"Key":` bytes of the last layout seen, all in one array (with the
    /// separating commas): consecutive mappings share a layout, so each key is
    /// escaped once per layout, and writing a key is one copy, no retain.
    struct LayoutKeys {
        var layout: FieldLayout? = nil
        var bytes: [UInt8] = []
        /// `bytes[offsets[p]..<offsets[p + 1]]` is `,"Key":` for position p (no comma for p = 0).
        var offsets: [Int] = [0]

        mutating func update(for layout: FieldLayout) {
            guard self.layout !== layout else { return }
            self.layout = layout
            var w = ByteWriter(capacity: 32 * layout.count + 1)
            offsets = [0]
            for (p, name) in layout.names.enumerated() {
                if p > 0 { w.byte(Ascii.comma) }
                w.jsonString(name)
                w.byte(Ascii.colon)
                offsets.append(w.count)
            }
            bytes = w.bytes
        }

        /// Recent VmFlags lists and their JSON: parsed lists are interned, so
        /// the same few arrays come back again and again.
        var recentFlags: [([String], [UInt8])] = []

        mutating func flags(_ flags: [String], into w: inout ByteWriter) {
            for (list, json) in recentFlags where list == flags {
                w.append(json)
                return
            }
            var f = ByteWriter(capacity: 64)
            for (i, flag) in flags.enumerated() {
                if i > 0 { f.byte(Ascii.comma) }
                f.jsonString(flag)
            }
            let json = f.bytes
            if recentFlags.count == 8 { recentFlags.removeFirst() }
            recentFlags.append((flags, json))
            w.append(json)
        }
    }

    static func encode(_ m: borrowing Mapping, into w: inout ByteWriter, keys cache: inout LayoutKeys) {
        w.ascii("{\"start\":\"")
        w.hex(m.start)
        w.ascii("\",\"end\":\"")
        w.hex(m.end)
        w.ascii("\",\"perms\":\"")
        w.byte(m.readable ? Ascii.r : Ascii.dash)
        w.byte(m.writable ? Ascii.w : Ascii.dash)
        w.byte(m.executable ? Ascii.x : Ascii.dash)
        w.byte(m.isShared ? Ascii.s : Ascii.p)
        w.ascii("\",\"offset\":\"")
        w.hex(m.offset, minimumWidth: 8)
        w.ascii("\",\"device\":\"")
        w.hex(UInt64(m.deviceMajor), minimumWidth: 2)
        w.byte(Ascii.colon)
        w.hex(UInt64(m.deviceMinor), minimumWidth: 2)
        w.ascii("\",\"inode\":")
        w.decimal(m.inode)
        w.ascii(",\"pathname\":")
        w.jsonString(m.pathname)
        w.ascii(",\"deleted\":")
        if m.isDeleted { w.ascii("true") } else { w.ascii("false") }
        w.ascii(",\"kB\":{")
        cache.update(for: m.layout)
        let values = m.values
        cache.bytes.withUnsafeBytes { keys in
            cache.offsets.withUnsafeBufferPointer { offsets in
                for p in 0..<values.count {
                    w.raw(UnsafeRawBufferPointer(rebasing: keys[offsets[p]..<offsets[p + 1]]))
                    w.decimal(values[p])
                }
            }
        }
        w.ascii("},\"vmflags\":[")
        cache.flags(m.vmFlags, into: &w)
        w.byte(Ascii.rightBracket)
        if let thp = m.thpEligible {
            w.ascii(",\"thp_eligible\":")
            if thp { w.ascii("true") } else { w.ascii("false") }
        }
        if let key = m.protectionKey {
            w.ascii(",\"protection_key\":")
            w.decimal(UInt64(key))
        }
        if let name = m.name {
            w.ascii(",\"name\":")
            w.jsonString(name)
        }
        if !m.attributes.isEmpty {
            w.ascii(",\"attributes\":[")
            for (i, a) in m.attributes.enumerated() {
                if i > 0 { w.byte(Ascii.comma) }
                w.ascii("{\"key\":")
                w.jsonString(a.key)
                w.ascii(",\"value\":")
                w.jsonString(a.value)
                w.byte(Ascii.rightBrace)
            }
            w.byte(Ascii.rightBracket)
        }
        w.byte(Ascii.rightBrace)
    }
}
