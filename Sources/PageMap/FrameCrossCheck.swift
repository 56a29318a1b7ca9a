/// Cross-checks smaps' sums against what the frames say.
///
/// smaps decides Shared_* vs Private_* per page by map count (≥ 2 → shared) and
/// charges each process `page size / map count` of Pss. Frame-level data lets us
/// recompute both, and check that Pss summed over the processes equals the
/// distinct resident frames. Disagreements are *findings* to report, not test
/// failures: a frame also mapped outside the observed regions, a large folio on a
/// CONFIG_NO_PAGE_MAPCOUNT kernel, or smaps' truncation to whole kB all make the
/// numbers differ legitimately.
///
/// smaps figures are passed in as plain numbers so this module does not depend
/// on the Smaps module.
public enum FrameCrossCheck {
    /// The smaps numbers for one region of one process, in bytes.
    public struct SmapsFigures: Hashable, Sendable {
        /// Shared_Clean + Shared_Dirty.
        public var sharedBytes: UInt64
        /// Private_Clean + Private_Dirty.
        public var privateBytes: UInt64
        /// Pss (smaps truncates each VMA's Pss to whole kB).
        public var pssBytes: UInt64

        public init(sharedBytes: UInt64, privateBytes: UInt64, pssBytes: UInt64) {
            self.sharedBytes = sharedBytes
            self.privateBytes = privateBytes
            self.pssBytes = pssBytes
        }
    }

    /// One process's region: its pages and its smaps figures, read at the same step.
    public struct Observation: Sendable {
        /// A label for messages, e.g. "parent" or "child".
        public var name: String
        public var pages: RegionPages
        public var smaps: SmapsFigures

        public init(name: String, pages: RegionPages, smaps: SmapsFigures) {
            self.name = name
            self.pages = pages
            self.smaps = smaps
        }
    }

    public enum Kind: String, Hashable, Sendable {
        /// smaps Shared_* against pages with map count ≥ 2.
        case shared
        /// smaps Private_* against pages with map count 1.
        case `private`
        /// smaps Pss against Σ page size / map count.
        case pss
        /// Σ Pss over all observations against distinct resident frames.
        case pssSumVsDistinctFrames
    }

    public enum Status: String, Hashable, Sendable {
        case agrees, disagrees
        /// Not checkable: frame data missing ("needs root (CAP_SYS_ADMIN)").
        case skipped
    }

    /// How the frame side was computed.
    public enum Basis: String, Hashable, Sendable {
        /// From /proc/kpagecount (exact on CONFIG_PAGE_MAPCOUNT kernels).
        case mapcount
        /// From pagemap's exclusive bits (no root): an estimate that counts
        /// zero-page mappings as shared.
        case exclusiveBits
        case none
    }

    public struct Finding: Hashable, Sendable, CustomStringConvertible {
        public var kind: Kind
        /// The observation's name, or "all" for the sum.
        public var subject: String
        public var status: Status
        public var basis: Basis
        public var smapsBytes: Int64
        /// The frame-derived figure, `nil` when skipped.
        public var frameBytes: Int64?
        /// smaps − frames.
        public var differenceBytes: Int64? { frameBytes.map { smapsBytes - $0 } }
        public var message: String

        public var description: String { "[\(status.rawValue)] \(subject) \(kind.rawValue): \(message)" }
    }

    /// Allowed differences, in bytes.
    public struct Tolerance: Hashable, Sendable {
        /// For Shared_* and Private_* (exact by default).
        public var sharedPrivateBytes: Int64
        /// Per process for Pss: smaps truncates each VMA's Pss to whole kB.
        public var pssBytesPerProcess: Int64

        public init(sharedPrivateBytes: Int64 = 0, pssBytesPerProcess: Int64 = 1024) {
            self.sharedPrivateBytes = sharedPrivateBytes
            self.pssBytesPerProcess = pssBytesPerProcess
        }
    }

    /// Runs every check: shared, private and Pss per observation, then the Pss
    /// sum against distinct frames. Returns one finding per check, agreeing or not.
    public static func check(_ observations: [Observation], tolerance: Tolerance = Tolerance()) -> [Finding] {
        var findings: [Finding] = []
        for o in observations {
            findings += perProcess(o, tolerance: tolerance)
        }
        findings.append(pssSum(observations, tolerance: tolerance))
        return findings
    }

    /// Only the disagreements of `check`.
    public static func disagreements(_ observations: [Observation], tolerance: Tolerance = Tolerance()) -> [Finding] {
        check(observations, tolerance: tolerance).filter { $0.status == .disagrees }
    }

    static func kB(_ bytes: Int64) -> String {
        bytes % 1024 == 0 ? "\(bytes / 1024) kB" : "\(bytes) B"
    }

    private static func compare(_ kind: Kind, _ subject: String, basis: Basis, smaps: UInt64, frames: Int64,
                                tolerance: Int64, what: String) -> Finding {
        let s = Int64(smaps)
        let agrees = abs(s - frames) <= tolerance
        var message = "smaps \(kB(s)), frames \(kB(frames)) (\(what))"
        if !agrees { message += "; differs by \(kB(s - frames))" }
        if basis == .exclusiveBits { message += "; estimated from exclusive bits: \(PageMapError.needsRootText) for map counts" }
        return Finding(kind: kind, subject: subject, status: agrees ? .agrees : .disagrees, basis: basis,
                       smapsBytes: s, frameBytes: frames, message: message)
    }

    private static func skipped(_ kind: Kind, _ subject: String, smaps: UInt64, why: String) -> Finding {
        Finding(kind: kind, subject: subject, status: .skipped, basis: .none, smapsBytes: Int64(smaps),
                frameBytes: nil, message: "smaps \(kB(Int64(smaps))); frames: \(why)")
    }

    private static func perProcess(_ o: Observation, tolerance: Tolerance) -> [Finding] {
        let ps = Int64(o.pages.pageSize)
        let c = o.pages.counts
        if let shared = c.sharedByMapcount, let priv = c.privateByMapcount {
            var pss = 0.0
            for p in o.pages.pages {
                if let m = p.mapcount, m > 0 { pss += Double(ps) / Double(m) }
            }
            return [
                compare(.shared, o.name, basis: .mapcount, smaps: o.smaps.sharedBytes, frames: Int64(shared) * ps,
                        tolerance: tolerance.sharedPrivateBytes, what: "\(shared) pages with map count ≥ 2"),
                compare(.private, o.name, basis: .mapcount, smaps: o.smaps.privateBytes, frames: Int64(priv) * ps,
                        tolerance: tolerance.sharedPrivateBytes, what: "\(priv) pages with map count 1"),
                compare(.pss, o.name, basis: .mapcount, smaps: o.smaps.pssBytes, frames: Int64(pss.rounded()),
                        tolerance: tolerance.pssBytesPerProcess, what: "Σ page size / map count"),
            ]
        }
        // No map counts: the exclusive bit is "map count == 1" for small pages.
        let exclusive = c.exclusive
        let notExclusive = c.present - c.exclusive
        return [
            compare(.shared, o.name, basis: .exclusiveBits, smaps: o.smaps.sharedBytes, frames: Int64(notExclusive) * ps,
                    tolerance: tolerance.sharedPrivateBytes, what: "\(notExclusive) present pages not exclusively mapped"),
            compare(.private, o.name, basis: .exclusiveBits, smaps: o.smaps.privateBytes, frames: Int64(exclusive) * ps,
                    tolerance: tolerance.sharedPrivateBytes, what: "\(exclusive) exclusively mapped pages"),
            skipped(.pss, o.name, smaps: o.smaps.pssBytes, why: PageMapError.needsRootText),
        ]
    }

    private static func pssSum(_ observations: [Observation], tolerance: Tolerance) -> Finding {
        let smapsSum = observations.reduce(UInt64(0)) { $0 + $1.smaps.pssBytes }
        guard !observations.isEmpty,
              observations.allSatisfy({ $0.pages.counts.sharedByMapcount != nil }) else {
            return skipped(.pssSumVsDistinctFrames, "all", smaps: smapsSum,
                           why: "map counts unavailable: \(PageMapError.needsRootText)")
        }
        let ps = Int64(observations[0].pages.pageSize)
        // (pfn, map count) for every resident, counted page-table entry observed.
        var seen: [(pfn: UInt64, mapcount: UInt64)] = []
        for o in observations {
            for p in o.pages.pages {
                if let pfn = p.pfn, let m = p.mapcount, m > 0 { seen.append((pfn, m)) }
            }
        }
        seen.sort { $0.pfn < $1.pfn }
        var distinct = 0, mappedOutside = 0
        var i = 0
        while i < seen.count {
            var j = i + 1
            while j < seen.count, seen[j].pfn == seen[i].pfn { j += 1 }
            distinct += 1
            if UInt64(j - i) < seen[i].mapcount { mappedOutside += 1 }
            i = j
        }
        let frames = Int64(distinct) * ps
        let s = Int64(smapsSum)
        let agrees = abs(s - frames) <= tolerance.pssBytesPerProcess * Int64(observations.count)
        var message = "Σ Pss \(kB(s)) over \(observations.count) processes, distinct resident frames \(distinct) (\(kB(frames)))"
        if !agrees { message += "; differs by \(kB(s - frames))" }
        if mappedOutside > 0 {
            message += "; \(mappedOutside) frames are also mapped outside the observed regions, so Σ Pss < frames is expected"
        }
        return Finding(kind: .pssSumVsDistinctFrames, subject: "all", status: agrees ? .agrees : .disagrees,
                       basis: .mapcount, smapsBytes: s, frameBytes: frames, message: message)
    }
}
