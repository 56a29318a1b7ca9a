/// Joins two processes' views of the same virtual range by frame: which pages
/// still share a frame (copy-on-write not broken), which were copied, which are
/// present on one side only.
public enum FrameJoin {
    /// How one virtual page relates across the two processes.
    public enum Relation: UInt8, Hashable, Sendable, CaseIterable {
        /// Both present, same frame. (Frames hidden: both present, neither
        /// exclusive — mapped more than once; inferred, see `Mode.framesHidden`.)
        case shared
        /// Both present, different frames. (Frames hidden: both present and at
        /// least one exclusive — a frame mapped once cannot be the other's.)
        case copied
        /// Present in the first (parent) only.
        case onlyFirst
        /// Present in the second (child) only.
        case onlySecond
        /// Present in neither.
        case absent
    }

    /// How the relations were decided.
    public enum Mode: Hashable, Sendable {
        /// By comparing frame numbers.
        case frames
        /// Frame numbers were hidden (not root: "needs root (CAP_SYS_ADMIN)");
        /// shared vs copied inferred from pagemap's exclusive bits. Exact for
        /// small pages, except that `shared` may also mean "each maps a
        /// different frame that a third mapping shares" (or the zero page).
        case framesHidden
    }

    public struct Counts: Hashable, Sendable {
        public var shared = 0
        public var copied = 0
        public var onlyFirst = 0
        public var onlySecond = 0
        public var absent = 0
        /// Of `shared`: pages that map the shared zero page (`nil` without flags).
        public var sharedZeroPage: Int?

        public subscript(_ r: Relation) -> Int {
            switch r {
            case .shared: return shared
            case .copied: return copied
            case .onlyFirst: return onlyFirst
            case .onlySecond: return onlySecond
            case .absent: return absent
            }
        }
    }

    public struct Result: Sendable {
        public let mode: Mode
        /// One per virtual page.
        public let relations: [Relation]
        public let counts: Counts
        public let pageSize: Int

        /// Bytes in pages with this relation.
        public func bytes(_ r: Relation) -> Int { counts[r] * pageSize }
    }

    /// Compares two regions page by page (index `i` in one against index `i` in
    /// the other: after `fork` a child has the parent's addresses). If lengths
    /// differ, missing pages count as not present.
    public static func compare(parent first: RegionPages, child second: RegionPages) -> Result {
        let hidden = first.pfnVisibility == .hidden || second.pfnVisibility == .hidden
        let n = max(first.pages.count, second.pages.count)
        var relations = [Relation]()
        relations.reserveCapacity(n)
        var c = Counts()
        var zero = 0
        let flagsKnown = first.flagsStatus == .available && second.flagsStatus == .available && !hidden
        first.pages.withUnsafeBufferPointer { a in
            second.pages.withUnsafeBufferPointer { b in
                for i in 0..<n {
                    let p = i < a.count ? a[i] : nil
                    let q = i < b.count ? b[i] : nil
                    let inFirst = p?.present ?? false
                    let inSecond = q?.present ?? false
                    let r: Relation
                    switch (inFirst, inSecond) {
                    case (false, false): r = .absent
                    case (true, false): r = .onlyFirst
                    case (false, true): r = .onlySecond
                    case (true, true):
                        if hidden {
                            r = (p!.exclusive || q!.exclusive) ? .copied : .shared
                        } else {
                            r = p!.entry.rawPFN == q!.entry.rawPFN ? .shared : .copied
                            if r == .shared, let f = p!.flags, f.rawValue & PageFlags.zeroPage.rawValue != 0 { zero += 1 }
                        }
                    }
                    switch r {
                    case .shared: c.shared += 1
                    case .copied: c.copied += 1
                    case .onlyFirst: c.onlyFirst += 1
                    case .onlySecond: c.onlySecond += 1
                    case .absent: c.absent += 1
                    }
                    relations.append(r)
                }
            }
        }
        if flagsKnown { c.sharedZeroPage = zero }
        return Result(mode: hidden ? .framesHidden : .frames, relations: relations, counts: c,
                      pageSize: first.pageSize)
    }
}
