// The human-readable diff: `cowlab diff A B`.

/// Renders a `SmapsDiff` as a table of new, changed and gone mappings.
///
/// ```
/// A: before.smaps (75 mappings)
/// B: after.smaps (76 mappings)
/// 1 new, 1 changed, 0 gone, 74 unchanged
///
/// Change   Address       Perm  Field          Before  After  Delta  Mapping
/// new      7f0000001000  rw-p  Rss                 -      4     +4  [heap]
/// changed  55601fac3000  rw-p  Rss                12     16     +4  /usr/bin/prog
///                              Private_Dirty       0      4     +4
///
/// Totals (kB)  Before  After  Delta
/// Rss             780    788     +8
/// ```
public enum SmapsDiffTable {
    /// Fields summarised in the totals section, when present.
    public static let totalFields = [
        "Size", "Rss", "Pss", "Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty",
        "Anonymous", "Swap",
    ]

    public static func render(_ diff: SmapsDiff, before: SmapsSnapshot, after: SmapsSnapshot) -> String {
        var out = "A: \(describe(before))\nB: \(describe(after))\n"
        out += "\(diff.added.count) new, \(diff.changed.count) changed, \(diff.removed.count) gone, \(diff.unchangedCount) unchanged\n"
        if !diff.isEmpty {
            var table = TextTable([.left, .left, .left, .left, .right, .right, .right, .left])
            table.add(["Change", "Address", "Perm", "Field", "Before", "After", "Delta", "Mapping"])
            for m in diff.added {
                let (field, v) = headline(m)
                table.add(["new", addr(m), m.permissions, field, "-", v.map(String.init) ?? "-", v.map { "+\($0)" } ?? "", m.displayName])
            }
            for c in diff.changed {
                var first = true
                func row(_ field: String, _ b: String, _ a: String, _ d: String) {
                    table.add(first
                        ? ["changed", addr(c.after), c.after.permissions, field, b, a, d, c.after.displayName]
                        : ["", "", "", field, b, a, d, ""])
                    first = false
                }
                for f in c.fields {
                    let d = f.delta
                    row(f.field, f.before.map(String.init) ?? "-", f.after.map(String.init) ?? "-", d > 0 ? "+\(d)" : "\(d)")
                }
                for h in c.header {
                    row(h.attribute, h.before, h.after, "")
                }
            }
            for m in diff.removed {
                let (field, v) = headline(m)
                table.add(["gone", addr(m), m.permissions, field, v.map(String.init) ?? "-", "-", v.map { "-\($0)" } ?? "", m.displayName])
            }
            out += "\n" + table.render()
        }
        let present = Set(before.fieldNames).intersection(after.fieldNames)
        let fields = totalFields.filter { present.contains($0) }
        if !fields.isEmpty {
            var totals = TextTable([.left, .right, .right, .right])
            totals.add(["Totals (kB)", "Before", "After", "Delta"])
            for f in fields {
                let change = FieldChange(field: f, before: before.total(f), after: after.total(f))
                let d = change.delta
                totals.add([f, String(before.total(f)), String(after.total(f)), d > 0 ? "+\(d)" : "\(d)"])
            }
            out += "\n" + totals.render()
        }
        return out
    }

    static func describe(_ s: SmapsSnapshot) -> String {
        "\(s.source) (\(s.isRollup ? "rollup" : "\(s.mappings.count) mappings"))"
    }

    static func addr(_ m: Mapping) -> String { String(m.start, radix: 16) }

    /// The field shown for a new or gone mapping: Rss, else Size.
    static func headline(_ m: Mapping) -> (String, UInt64?) {
        if let rss = m.kilobytes("Rss") { return ("Rss", rss) }
        return ("Size", m.kilobytes("Size"))
    }
}

