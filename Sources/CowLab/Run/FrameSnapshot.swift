import PageMap

/// Reads the frame-level view of every region at a snapshot: pagemap for each
/// region in each process, kpagecount/kpageflags for their frames (root only),
/// joins between processes that share a region name, and cross-checks of the
/// smaps figures against the frames.
struct FrameSnapshot {
    var frames: [RegionFramesRecord] = []
    var joins: [FrameJoinRecord] = []
    var crossChecks: [CrossCheckRecord] = []
    /// Why frames could not be read at all, when they could not.
    var problem: String?

    struct Target {
        var process: String
        var region: String
        var pid: Int32
        var range: Range<UInt64>
        /// smaps figures of the mappings covering the region, when they cover
        /// exactly the region's pages (else a cross-check would compare different things).
        var smaps: FrameCrossCheck.SmapsFigures?
    }

    static func read(_ targets: [Target], pageSize: Int) -> FrameSnapshot {
        var result = FrameSnapshot()
        guard !targets.isEmpty else { return result }
        let pages: [RegionPages]
        do {
            pages = try RegionPages.read(targets.map { RegionPages.Target(pid: $0.pid, range: $0.range) }, pageSize: pageSize)
        } catch {
            result.problem = "\(error)"
            return result
        }
        for (t, p) in zip(targets, pages) {
            let c = p.counts
            result.frames.append(RegionFramesRecord(
                process: t.process, region: t.region, start: String(t.range.lowerBound, radix: 16), pages: c.pages,
                present: c.present, swapped: c.swapped, exclusive: c.exclusive, sharedByMapcount: c.sharedByMapcount,
                privateByMapcount: c.privateByMapcount, anonymous: c.anonymous, thp: c.thp, zeroPage: c.zeroPage, dirty: c.dirty,
                distinctFrames: c.distinctFrames,
                frameNumbers: p.pfnVisibility == .hidden ? "hidden: \(PageMapError.needsRootText)" : "\(p.pfnVisibility)"))
        }
        // Join every pair of processes that both have a region of that name.
        var regionNames: [String] = []
        for t in targets where !regionNames.contains(t.region) { regionNames.append(t.region) }
        for name in regionNames {
            let members = zip(targets, pages).filter { $0.0.region == name }
            for i in members.indices {
                for j in members.indices where j > i {
                    let (a, pa) = members[i], (b, pb) = members[j]
                    let join = FrameJoin.compare(parent: pa, child: pb)
                    result.joins.append(FrameJoinRecord(
                        region: name, first: a.process, second: b.process,
                        mode: join.mode == .frames ? "frames" : "inferred",
                        shared: join.counts.shared, copied: join.counts.copied, onlyFirst: join.counts.onlyFirst,
                        onlySecond: join.counts.onlySecond, absent: join.counts.absent,
                        sharedZeroPage: join.counts.sharedZeroPage, pagesRLE: runLength(join.relations)))
                }
            }
            let observations = members.compactMap { t, p in
                t.smaps.map { FrameCrossCheck.Observation(name: t.process, pages: p, smaps: $0) }
            }
            if !observations.isEmpty {
                for f in FrameCrossCheck.check(observations) {
                    result.crossChecks.append(CrossCheckRecord(
                        subject: f.subject, region: name, kind: f.kind.rawValue, status: f.status.rawValue,
                        basis: f.basis.rawValue, smapsBytes: f.smapsBytes, frameBytes: f.frameBytes, message: f.message))
                }
            }
        }
        return result
    }

    static func letter(_ r: FrameJoin.Relation) -> Character {
        switch r {
        case .shared: return "S"
        case .copied: return "C"
        case .onlyFirst: return "F"
        case .onlySecond: return "O"
        case .absent: return "A"
        }
    }

    static func runLength(_ relations: [FrameJoin.Relation]) -> String {
        var out = ""
        var i = 0
        while i < relations.count {
            var j = i
            while j < relations.count && relations[j] == relations[i] { j += 1 }
            out.append(letter(relations[i]))
            out += String(j - i)
            i = j
        }
        return out
    }
}
