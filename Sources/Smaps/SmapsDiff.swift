// The difference between two snapshots of one process.

/// One kB field that differs between two matched mappings.
public struct FieldChange: Sendable, Equatable, CustomStringConvertible {
    public var field: String
    /// nil when the field is absent on that side.
    public var before: UInt64?
    public var after: UInt64?

    public init(field: String, before: UInt64?, after: UInt64?) {
        self.field = field
        self.before = before
        self.after = after
    }

    /// `after - before` in kB (absent counts as 0), clamped to the Int64 range.
    public var delta: Int64 {
        let a = after ?? 0
        let b = before ?? 0
        if a >= b { return a - b > UInt64(Int64.max) ? .max : Int64(a - b) }
        return b - a > UInt64(Int64.max) ? .min : -Int64(b - a)
    }

    /// `Rss +4 kB (12 -> 16)`.
    public var description: String {
        let sign = delta >= 0 ? "+" : ""
        let b = before.map(String.init) ?? "absent"
        let a = after.map(String.init) ?? "absent"
        return "\(field) \(sign)\(delta) kB (\(b) -> \(a))"
    }
}

/// A header attribute that differs between two matched mappings.
public struct HeaderChange: Sendable, Equatable, CustomStringConvertible {
    /// `end`, `perms`, `offset`, `device`, `inode`, `pathname` or `VmFlags`.
    public var attribute: String
    public var before: String
    public var after: String

    public init(attribute: String, before: String, after: String) {
        self.attribute = attribute
        self.before = before
        self.after = after
    }

    /// `perms rw-p -> r--p`.
    public var description: String { "\(attribute) \(before) -> \(after)" }
}

/// A mapping present in both snapshots (same start address) that differs.
public struct MappingChange: Sendable, Equatable {
    public var before: Mapping
    public var after: Mapping
    /// kB fields whose values differ, in the after side's field order, then
    /// fields only the before side has.
    public var fields: [FieldChange]
    /// Header attributes that differ (end, perms, offset, device, inode,
    /// pathname, VmFlags), in that order.
    public var header: [HeaderChange]

    public init(before: Mapping, after: Mapping, fields: [FieldChange], header: [HeaderChange]) {
        self.before = before
        self.after = after
        self.fields = fields
        self.header = header
    }

    /// The change of one field, if it changed.
    public func change(_ field: String) -> FieldChange? { fields.first { $0.field == field } }
}

/// What changed between two snapshots, matching mappings by start address as
/// Perl's Linux::Smaps `diff` does. A start address that occurs several times
/// (the duplicated `[vdso]` of some old kernels) is matched occurrence by
/// occurrence, in file order.
public struct SmapsDiff: Sendable {
    /// Mappings whose start address only the second snapshot has ("new").
    public var added: [Mapping]
    /// Mappings present in both that differ in a kB field or the header.
    public var changed: [MappingChange]
    /// Mappings whose start address only the first snapshot has ("gone").
    public var removed: [Mapping]
    /// Matched mappings that are identical.
    public var unchangedCount: Int

    public var isEmpty: Bool { added.isEmpty && changed.isEmpty && removed.isEmpty }

    public init(from before: SmapsSnapshot, to after: SmapsSnapshot) {
        // Index the first snapshot's mappings by start; queues for duplicates.
        var byStart: [UInt64: [Int]] = [:]
        byStart.reserveCapacity(before.mappings.count)
        for (i, m) in before.mappings.enumerated() { byStart[m.start, default: []].append(i) }
        var matched = [Bool](repeating: false, count: before.mappings.count)
        var added: [Mapping] = []
        var changed: [MappingChange] = []
        var unchanged = 0
        for m in after.mappings {
            guard var queue = byStart[m.start], !queue.isEmpty else {
                added.append(m)
                continue
            }
            let i = queue.removeFirst()
            byStart[m.start] = queue
            matched[i] = true
            if let change = SmapsDiff.compare(before.mappings[i], m) {
                changed.append(change)
            } else {
                unchanged += 1
            }
        }
        self.added = added
        self.changed = changed
        self.removed = zip(before.mappings, matched).filter { !$0.1 }.map(\.0)
        self.unchangedCount = unchanged
    }

    /// The differences between two mappings with the same start, or nil.
    public static func compare(_ a: Mapping, _ b: Mapping) -> MappingChange? {
        var fields: [FieldChange] = []
        if a.layout === b.layout {
            let av = a.values
            let bv = b.values
            for (p, name) in a.layout.names.enumerated() where av[p] != bv[p] {
                fields.append(FieldChange(field: name, before: av[p], after: bv[p]))
            }
        } else {
            for name in b.fieldNames {
                let x = a.kilobytes(name)
                let y = b.kilobytes(name)
                if x != y { fields.append(FieldChange(field: name, before: x, after: y)) }
            }
            for name in a.fieldNames where b.kilobytes(name) == nil {
                fields.append(FieldChange(field: name, before: a.kilobytes(name), after: nil))
            }
        }
        var header: [HeaderChange] = []
        func note(_ what: String, _ x: String, _ y: String) {
            if x != y { header.append(HeaderChange(attribute: what, before: x, after: y)) }
        }
        note("end", String(a.end, radix: 16), String(b.end, radix: 16))
        note("perms", a.permissions, b.permissions)
        note("offset", String(a.offset, radix: 16), String(b.offset, radix: 16))
        note("device", "\(a.deviceMajor):\(a.deviceMinor)", "\(b.deviceMajor):\(b.deviceMinor)")
        note("inode", String(a.inode), String(b.inode))
        note("pathname", a.displayName, b.displayName)
        note("VmFlags", a.vmFlags.joined(separator: " "), b.vmFlags.joined(separator: " "))
        if fields.isEmpty && header.isEmpty { return nil }
        return MappingChange(before: a, after: b, fields: fields, header: header)
    }
}

extension Mapping {
    /// The pathname as the kernel prints it: with ` (deleted)` when unlinked.
    public var displayName: String { isDeleted ? pathname + " (deleted)" : pathname }
}
