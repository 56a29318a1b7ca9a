// The human-readable table: `cowlab snapshot PID`, in the style of `pmap -X`.

/// Renders a snapshot as a `pmap -X`-like table with a totals line.
///
/// ```
/// /proc/42/smaps: 3 mappings
/// Address       Perm  Offset    Device  Inode     Size  Rss  Pss  ...  Mapping
/// 55601fac3000  r--p  00000000  fe:00   16221269     4    4    4  ...  /tmp/prog
/// ...
///                                                 ====  ===  ===
///                                                  136   84   52  ...  kB total
/// Pss total: the sum of per-mapping Pss, each truncated to whole kB (smaps_rollup's Pss is exact).
/// ```
public enum SmapsTable {
    /// The kB columns shown by default, when the input has them.
    public static let defaultFields = [
        "Size", "Rss", "Pss", "Shared_Clean", "Shared_Dirty", "Private_Clean",
        "Private_Dirty", "Referenced", "Anonymous", "AnonHugePages", "Swap", "Locked",
    ]
    /// Extra columns for a `smaps_rollup` snapshot.
    public static let rollupFields = ["Pss_Dirty", "Pss_Anon", "Pss_File", "Pss_Shmem"]

    /// The table for `snapshot`, or only for `mappings` when given (for `--mapping`).
    /// `fields` overrides the kB columns; absent fields are dropped from the defaults.
    public static func render(
        _ snapshot: SmapsSnapshot, mappings selected: [Mapping]? = nil, fields: [String]? = nil
    ) -> String {
        let list = selected ?? snapshot.mappings
        let present = Set(SmapsSnapshot(mappings: list).fieldNames)
        let columns = fields
            ?? (defaultFields + (snapshot.isRollup ? rollupFields : [])).filter { present.contains($0) }

        var table = TextTable([.left, .left, .left, .left, .right] + columns.map { _ in .right } + [.left])
        table.add(["Address", "Perm", "Offset", "Device", "Inode"] + columns + ["Mapping"])
        let width = max(8, list.map { hexWidth($0.end) }.max() ?? 8)
        for m in list {
            table.add(
                [hex(m.start, width), m.permissions, hex(m.offset, 8),
                 hex(UInt64(m.deviceMajor), 2) + ":" + hex(UInt64(m.deviceMinor), 2), String(m.inode)]
                    + columns.map { m.kilobytes($0).map(String.init) ?? "-" }
                    + [m.displayName])
        }
        let totals = columns.map { name in list.reduce(UInt64(0)) { $0 &+ ($1.kilobytes(name) ?? 0) } }
        let blank = ["", "", "", "", ""]
        table.add(blank + totals.map { String(repeating: "=", count: String($0).count) } + [""])
        table.add(blank + totals.map(String.init) + ["kB total"])

        let what = snapshot.isRollup ? "rollup of all mappings" : "\(list.count) mapping\(list.count == 1 ? "" : "s")"
        var out = "\(snapshot.source.isEmpty ? "smaps" : snapshot.source): \(what)\n"
        out += table.render()
        if columns.contains("Pss") && !snapshot.isRollup {
            out += "Pss total: the sum of per-mapping Pss, each truncated to whole kB by the kernel (smaps_rollup's Pss is exact).\n"
        }
        return out
    }

    static func hexWidth(_ v: UInt64) -> Int { String(v, radix: 16).count }

    static func hex(_ v: UInt64, _ width: Int) -> String {
        let s = String(v, radix: 16)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
