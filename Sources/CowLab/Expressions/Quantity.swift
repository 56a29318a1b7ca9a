import Foundation

/// A number that is either a size in bytes or a plain scalar.
///
/// Expectations are written in sizes and relations (`64KiB`, `16 pages`,
/// `Rss / 2`), never in one machine's kB, so every value carries its dimension:
/// adding a size to a scalar, or comparing a field with a unit-less number,
/// is an error the loader reports instead of a silent wrong verdict.
public struct Quantity: Sendable, Equatable, Codable {
    public enum Dimension: String, Sendable, Codable { case bytes, scalar }

    public var value: Double
    public var dimension: Dimension

    public init(bytes: Double) { self.value = bytes; self.dimension = .bytes }
    public init(scalar: Double) { self.value = scalar; self.dimension = .scalar }

    public var isSize: Bool { dimension == .bytes }
}

/// Units cowlab understands. A kilobyte is 1024 bytes everywhere, as in the
/// kernel's smaps ("kB" there means KiB); `page` is the running kernel's page size.
public enum SizeUnit: String, CaseIterable, Sendable {
    case byte = "B"
    case kib = "KiB", mib = "MiB", gib = "GiB"
    case kB = "kB", KB = "KB", MB = "MB", GB = "GB", K = "K", M = "M", G = "G"
    case page = "page", pages = "pages"

    func bytes(pageSize: Int) -> Double {
        switch self {
        case .byte: return 1
        case .kib, .kB, .KB, .K: return 1024
        case .mib, .MB, .M: return 1024 * 1024
        case .gib, .GB, .G: return 1024 * 1024 * 1024
        case .page, .pages: return Double(pageSize)
        }
    }
}

extension Quantity {
    /// Human form: whole pages and binary units, e.g. `64 KiB (16 pages)`.
    public func formatted(pageSize: Int) -> String {
        guard isSize else { return Quantity.trim(value) }
        return Quantity.formatBytes(value, pageSize: pageSize)
    }

    static func trim(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
        let s = String(format: "%.2f", v)
        return s
    }

    /// `68 kB`, `1.5 MiB`, `-4 kB`: kB for anything below 10 MiB so numbers
    /// line up with what smaps prints.
    public static func formatBytes(_ bytes: Double, pageSize: Int) -> String {
        let kib = bytes / 1024
        if abs(bytes) < 10 * 1024 * 1024 { return "\(trim(kib)) kB" }
        let mib = bytes / (1024 * 1024)
        if abs(bytes) < 10 * 1024 * 1024 * 1024 { return "\(trim((mib * 10).rounded() / 10)) MiB" }
        return "\(trim(((mib / 1024) * 100).rounded() / 100)) GiB"
    }
}
