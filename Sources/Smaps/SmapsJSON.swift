// JSON for tools: `cowlab snapshot PID --json`.

/// Encodes snapshots as JSON (format `cowlab-smaps/1`), by hand into bytes:
/// JSONEncoder would spend more time than the kernel takes to produce smaps.
///
/// ```
/// {"format":"cowlab-smaps/1","source":"/proc/42/smaps","rollup":false,
///  "mapping_count":2,
///  "totals_kB":{"Size":8,"Rss":8,...},
///  "mappings":[
///   {"start":"55601fac3000","end":"55601fac4000","perms":"r--p","offset":"00000000",
///    "device":"fe:00","inode":16221269,"pathname":"/bin/cat","deleted":false,
///    "kB":{"Size":4,"Rss":4,...},"vmflags":["rd","mr"],"thp_eligible":false},
///   ...]}
/// ```
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
        let list = selected ?? snapshot.mappings
        var w = ByteWriter(capacity: 64 + list.count * 700)
        w.ascii("{\"format\":")
        w.jsonString(format)
        w.ascii(",\"source\":")
        w.jsonString(snapshot.source)
        w.ascii(",\"rollup\":")
        if snapshot.isRollup { w.ascii("true") } else { w.ascii("false") }
        w.ascii(",\"mapping_count\":")
        w.decimal(UInt64(list.count))
        w.ascii(",\n\"totals_kB\":{")
        let totals = SmapsSnapshot(mappings: list, source: snapshot.source)
        for (i, name) in totals.fieldNames.enumerated() {
            if i > 0 { w.byte(Ascii.comma) }
            w.jsonString(name)
            w.byte(Ascii.colon)
            w.decimal(totals.total(name))
        }
        w.ascii("},\n\"mappings\":[")
        var keyCache = LayoutKeys()
        for (i, m) in list.enumerated() {
            if i > 0 { w.byte(Ascii.comma) }
            w.byte(Ascii.newline)
            encode(m, into: &w, keys: &keyCache)
        }
        w.ascii("\n]}\n")
        return w.bytes
    }

    /// One mapping as a JSON object.
    public static func encode(_ mapping: Mapping) -> [UInt8] {
        var w = ByteWriter(capacity: 1024)
        var keys = LayoutKeys()
        encode(mapping, into: &w, keys: &keys)
        return w.bytes
    }

    /// The `"Key":` bytes of the last layout seen: consecutive mappings share
    /// a layout, so each key is escaped once per layout, not once per mapping.
    struct LayoutKeys {
        var layout: FieldLayout? = nil
        var keys: [[UInt8]] = []

        mutating func keys(for layout: FieldLayout) -> [[UInt8]] {
            if self.layout !== layout {
                self.layout = layout
                keys = layout.names.map { name in
                    var w = ByteWriter(capacity: name.utf8.count + 3)
                    w.jsonString(name)
                    w.byte(Ascii.colon)
                    return w.bytes
                }
            }
            return keys
        }
    }

    static func encode(_ m: Mapping, into w: inout ByteWriter, keys cache: inout LayoutKeys) {
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
        let keys = cache.keys(for: m.layout)
        let values = m.values
        for p in 0..<keys.count {
            if p > 0 { w.byte(Ascii.comma) }
            w.append(keys[p])
            w.decimal(values[p])
        }
        w.ascii("},\"vmflags\":[")
        for (i, flag) in m.vmFlags.enumerated() {
            if i > 0 { w.byte(Ascii.comma) }
            w.jsonString(flag)
        }
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
