import Foundation
import PageMap
import Smaps

/// The live part of a run: the subject group, the regions each subject
/// reported, the run directory. Everything it starts, it stops.
struct RunSession {
    let scenario: Scenario
    let options: RunOptions
    let parameters: [String: Quantity]
    let pageSize: Int

    struct RegionState {
        var address: UInt64
        var length: UInt64
        var origin: String
    }

    var regions: [String: [String: RegionState]] = [:]   // process -> name -> state
    var regionOrder: [String: [String]] = [:]
    var files: [String: String] = [:]                    // file name -> path
    var contentChecks: [ExpectationResult] = []
    var runDirectory: String?

    init(scenario: Scenario, options: RunOptions, parameters: [String: Quantity], pageSize: Int) {
        self.scenario = scenario
        self.options = options
        self.parameters = parameters
        self.pageSize = pageSize
    }

    /// A step failure, already phrased for the report.
    struct StepFailure: Error { var message: String }

    mutating func execute(into record: inout RunRecord) {
        do {
            try preflight(record.environment)
        } catch {
            record.verdict = .error
            record.reason = error.message
            return
        }
        let group: SubjectGroup
        do {
            group = try SubjectGroup(subjectPath: options.subjectPath ?? SubjectGroup.defaultSubjectPath(), timeout: options.stepTimeout)
        } catch {
            record.verdict = .error
            record.reason = "\(scenario.name): cannot start subjects: \(error)"
            return
        }
        defer {
            group.terminateAll()
            removeRunFiles()
        }
        do {
            try makeRunDirectory()
            for name in scenario.subjects {
                _ = try group.spawn(name)
                regions[name] = [:]
                regionOrder[name] = []
            }
            record.snapshots.append(try snapshot(group, label: Scenario.startLabel, afterStep: nil))
        } catch {
            record.verdict = .error
            record.reason = "\(scenario.name): before the first step: \(error)"
            return
        }
        for step in scenario.steps {
            if let signal = Interrupts.pending {
                record.verdict = .error
                record.reason = "\(scenario.name): \(SubjectError.interrupted(signal: signal)) before step \(step.index + 1) '\(step.label)'"
                return
            }
            options.onStep?(step.index + 1, scenario.steps.count, step.label)
            var result = StepResult(index: step.index, label: step.label, process: step.process, operation: step.operation.name,
                                    description: describe(step), why: step.why, reply: [:], error: nil)
            do {
                result.reply = try perform(step, group: group)
                record.steps.append(result)
                record.snapshots.append(try snapshot(group, label: step.label, afterStep: step.index))
            } catch {
                let message = "\(scenario.name): step \(step.index + 1) '\(step.label)' (\(step.operation.name)\(step.process.map { " in \($0)" } ?? "")): \(error)"
                result.error = message
                record.steps.append(result)
                record.verdict = .error
                record.reason = message
                return
            }
        }
    }

    // MARK: Steps

    func bytes(_ e: SizeExpression, _ what: String, allowZero: Bool = false) throws -> UInt64 {
        let q: Quantity
        do {
            q = try e.evaluate(in: EvaluationContext(pageSize: pageSize, parameter: { parameters[$0] }))
        } catch {
            throw StepFailure(message: "\(what) '\(e)': \(error.message)")
        }
        guard q.isSize || q.value == 0 else { throw StepFailure(message: "\(what) '\(e)' has no unit") }
        guard q.value >= 0, q.value == q.value.rounded(), q.value < Double(UInt64(1) << 48) else {
            throw StepFailure(message: "\(what) '\(e)' = \(q.value) bytes is not a whole, non-negative size")
        }
        guard allowZero || q.value > 0 else { throw StepFailure(message: "\(what) '\(e)' is zero") }
        return UInt64(q.value)
    }

    func region(_ process: String, _ name: String) throws -> RegionState {
        guard let r = regions[process]?[name] else { throw StepFailure(message: "\(process) has no region '\(name)'") }
        return r
    }


    func rangeTokens(_ range: ByteRange) throws -> [(String, String)] {
        var t: [(String, String)] = []
        if let o = range.offset { t.append(("offset", String(try bytes(o, "offset", allowZero: true)))) }
        if let l = range.length { t.append(("length", String(try bytes(l, "length")))) }
        return t
    }

    mutating func perform(_ step: Step, group: SubjectGroup) throws -> [String: String] {
        let p = step.process ?? ""
        func send(_ op: String, _ args: [(String, String)]) throws -> SubjectReply {
            try group.request(p, SubjectRequest(op: op, arguments: args.map { (key: $0.0, value: $0.1) }), timeout: options.stepTimeout)
        }
        func addRegion(_ name: String, _ reply: SubjectReply, origin: String) throws {
            guard let addrText = reply["addr"], let addr = UInt64(addrText.dropFirst(2), radix: 16), let len = reply.uint64("len") else {
                throw StepFailure(message: "the subject's reply has no addr/len: \(reply.fields)")
            }
            regions[p, default: [:]][name] = RegionState(address: addr, length: len, origin: origin)
            regionOrder[p, default: []].append(name)
        }
        func dropRegion(_ name: String) {
            regions[p]?[name] = nil
            regionOrder[p]?.removeAll { $0 == name }
        }

        switch step.operation {
        case .malloc(let r, let size):
            let reply = try send("malloc", [("region", r), ("size", String(try bytes(size, "size")))])
            try addRegion(r, reply, origin: "malloc")
            return reply.fields
        case .mmap(let r, let size, let sharing, let prot, let file, let populate, let offset, let align):
            var args: [(String, String)] = [("region", r), ("size", String(try bytes(size, "size"))),
                                            ("kind", file == nil ? "anon" : "file"), ("share", sharing.rawValue), ("prot", prot.rawValue)]
            if populate { args.append(("populate", "1")) }
            if let file {
                guard let path = files[file] else { throw StepFailure(message: "file '\(file)' was not created") }
                args.append(("path", path))
            }
            if let offset { args.append(("offset", String(try bytes(offset, "offset", allowZero: true)))) }
            if let align { args.append(("align", String(try bytes(align, "align")))) }
            let reply = try send("mmap", args)
            let origin = "mmap \(file == nil ? "anonymous" : "file") \(sharing.rawValue) \(prot.rawValue)\(populate ? " populate" : "")\(align == nil ? "" : " aligned")"
            try addRegion(r, reply, origin: origin)
            return reply.fields
        case .free(let r):
            let reply = try send("free", [("region", r)])
            dropRegion(r)
            return reply.fields
        case .munmap(let r):
            let reply = try send("munmap", [("region", r)])
            dropRegion(r)
            return reply.fields
        case .fill(let r, let byte, let range):
            return try send("fill", [("region", r), ("byte", String(byte))] + rangeTokens(range)).fields
        case .touch(let r, let range, let every):
            return try send("touch", [("region", r), ("mode", every ? "page" : "one")] + rangeTokens(range)).fields
        case .check(let r, let byte, let range):
            let reply = try send("check", [("region", r), ("byte", String(byte))] + rangeTokens(range))
            let match = reply["match"] == "1"
            let sentence = match
                ? "\(p) reads byte \(byte) in every checked byte of \(r) after '\(step.label)': holds."
                : "\(p) expected byte \(byte) in \(r) but found \(reply["found"] ?? "?") at offset \(reply["at"] ?? "?"): does not hold."
            contentChecks.append(ExpectationResult(
                expectation: -1, line: step.line, kind: "content", process: p, scope: r, labels: [step.label], field: nil,
                condition: "every byte = \(byte)", observed: nil, expected: nil, verdict: match ? .pass : .fail,
                sentence: sentence, why: nil))
            return reply.fields
        case .copy(let from, let to):
            return try send("copy", [("from", from), ("to", to)]).fields
        case .madvise(let r, let advice, let range):
            return try send("madvise", [("region", r), ("advice", advice)] + rangeTokens(range)).fields
        case .msync(let r, let flags):
            return try send("msync", [("region", r), ("flags", flags)]).fields
        case .mlock(let r):
            return try send("mlock", [("region", r)]).fields
        case .munlock(let r):
            return try send("munlock", [("region", r)]).fields
        case .fork(let child):
            let pid = try group.fork(p, child: child, timeout: options.stepTimeout)
            regions[child] = regions[p]
            regionOrder[child] = regionOrder[p]
            return ["pid": String(pid)]
        case .spawn:
            let pid = try group.spawn(p)
            regions[p] = [:]
            regionOrder[p] = []
            return ["pid": String(pid)]
        case .exit(let code):
            let status = try group.exit(p, code: Int32(code))
            regions[p] = nil
            regionOrder[p] = nil
            return ["status": status]
        case .createFile(let file, let size, let chunk, let byte, let fsync, let directory, let sparse):
            let path = try createFile(file, size: try bytes(size, "size"), chunk: sparse ? 0 : try bytes(chunk, "chunk"),
                                      byte: UInt8(byte), fsync: fsync, directory: directory)
            files[file] = path
            return ["path": path, "filesystem": EnvironmentProbe.fileSystemName(path)]
        case .clearRefs(let value):
            guard let pid = group.pid(of: p) else { throw StepFailure(message: "no live process '\(p)'") }
            try writeClearRefs(pid: pid, value: value)
            return ["value": String(value)]
        }
    }

    /// Writes to clear_refs once the subject sleeps (a running subject would set bits again).
    func writeClearRefs(pid: Int32, value: Int) throws {
        try waitUntilAsleep(pid, "clear_refs")
        try Smaps.clearRefs(pid: pid, value: value)
    }

    /// See `Quiescence`: a subject that has replied may still be running for a moment.
    func waitUntilAsleep(_ pid: Int32, _ before: String) throws {
        guard Quiescence.waitUntilAsleep(pid, timeout: options.stepTimeout) else {
            throw StepFailure(message: "subject \(pid) did not go back to waiting for a command within \(options.stepTimeout) s, before \(before)")
        }
    }

    // MARK: Files

    mutating func makeRunDirectory() throws {
        Self.removeStaleRunDirectories(in: options.dataDirectory)
        let dir = (options.dataDirectory as NSString).appendingPathComponent("cowlab-run-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        guard mkdir(dir, 0o700) == 0 else {
            throw StepFailure(message: "cannot create the run directory \(dir): \(String(cString: strerror(errno)))")
        }
        runDirectory = dir
    }

    /// Removes run directories and /dev/shm files left by observers that no longer exist.
    static func removeStaleRunDirectories(in directory: String) {
        let fm = FileManager.default
        for (dir, prefix) in [(directory, "cowlab-run-"), ("/dev/shm", "cowlab-run-")] {
            guard let entries = try? fm.contentsOfDirectory(atPath: dir) else { continue }
            for entry in entries where entry.hasPrefix(prefix) {
                let pidText = entry.dropFirst(prefix.count).prefix { $0.isNumber }
                guard let pid = Int32(pidText), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
                try? fm.removeItem(atPath: (dir as NSString).appendingPathComponent(entry))
            }
        }
    }

    /// Creates a test file; `chunk` 0 makes it sparse (ftruncate only).
    func createFile(_ name: String, size: UInt64, chunk: UInt64, byte: UInt8, fsync doSync: Bool, directory: FileDirectory) throws -> String {
        let path: String
        switch directory {
        case .data: path = (runDirectory! as NSString).appendingPathComponent(name)
        case .shm: path = "/dev/shm/\((runDirectory! as NSString).lastPathComponent)-\(name)"
        }
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StepFailure(message: "cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        if chunk == 0 {
            // Sparse: only the size is set, as shm_open + ftruncate does; no page exists until touched.
            guard ftruncate(fd, off_t(size)) == 0 else { throw StepFailure(message: "ftruncate \(path): \(String(cString: strerror(errno)))") }
            if doSync, fsync(fd) != 0 { throw StepFailure(message: "fsync \(path): \(String(cString: strerror(errno)))") }
            return path
        }
        let buffer = [UInt8](repeating: byte, count: Int(min(chunk, 64 << 20)))
        var written: UInt64 = 0
        while written < size {
            let n = Int(min(UInt64(buffer.count), size - written))
            let w = buffer.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, n) }
            if w < 0 {
                if errno == EINTR { continue }
                throw StepFailure(message: "writing \(path): \(String(cString: strerror(errno)))")
            }
            written += UInt64(w)
        }
        if doSync, fsync(fd) != 0 { throw StepFailure(message: "fsync \(path): \(String(cString: strerror(errno)))") }
        return path
    }

    func removeRunFiles() {
        for path in files.values where path.hasPrefix("/dev/shm/") { unlink(path) }
        if let dir = runDirectory { try? FileManager.default.removeItem(atPath: dir) }
    }

    // MARK: Preflight

    /// Refuses a run that would need more memory than the machine has available.
    func preflight(_ env: EnvironmentRecord) throws(StepFailure) {
        var allocated: Double = 0
        var processes = Double(scenario.subjects.count)
        for step in scenario.steps {
            switch step.operation {
            case .malloc(_, let size), .mmap(_, let size, _, _, _, _, _, _):
                allocated += (try? size.evaluate(in: EvaluationContext(pageSize: pageSize, parameter: { parameters[$0] })).value) ?? 0
            case .createFile(_, let size, _, _, _, .shm, _):
                allocated += (try? size.evaluate(in: EvaluationContext(pageSize: pageSize, parameter: { parameters[$0] })).value) ?? 0
            case .fork, .spawn:
                processes += 1
            default:
                continue
            }
        }
        let worstCase = allocated * max(1, min(processes, 2))
        let available = Double(env.memAvailableKiB) * 1024
        let margin = 256.0 * 1024 * 1024
        if env.memAvailableKiB > 0 && worstCase > available - margin {
            throw StepFailure(message: "\(scenario.name): needs up to \(Quantity.formatBytes(worstCase, pageSize: pageSize)) "
                + "but only \(Quantity.formatBytes(available, pageSize: pageSize)) is available (MemAvailable, keeping 256 MiB spare); use --set to shrink it")
        }
    }

    // MARK: Snapshots

    func snapshot(_ group: SubjectGroup, label: String, afterStep: Int?) throws -> SnapshotRecord {
        var processes: [ProcessSnapshot] = []
        var frameTargets: [FrameSnapshot.Target] = []
        for name in group.names {
            guard let pid = group.pid(of: name) else { continue }
            try waitUntilAsleep(pid, "reading smaps of \(name)")
        }
        for name in group.names {
            guard let pid = group.pid(of: name) else { continue }
            let smaps = try SmapsSnapshot.read(pid: pid)
            let mappings = smaps.mappings.map(MappingRecord.init)
            var regionRecords: [RegionRecord] = []
            for r in regionOrder[name] ?? [] {
                guard let state = regions[name]?[r] else { continue }
                let range = state.address..<(state.address + state.length)
                var indexes: [Int] = []
                var sum: [String: UInt64] = [:]
                for (i, m) in smaps.mappings.enumerated() where m.start < range.upperBound && range.lowerBound < m.end {
                    indexes.append(i)
                    for f in m.fieldNames {
                        let v = m.kilobytes(f) ?? 0
                        if f == "KernelPageSize" || f == "MMUPageSize" { sum[f] = v } else { sum[f, default: 0] += v }
                    }
                }
                regionRecords.append(RegionRecord(name: r, start: hex(state.address), end: hex(state.address + state.length),
                                                  length: state.length, origin: state.origin, mappingIndexes: indexes, kB: sum))
            }
            processes.append(ProcessSnapshot(name: name, pid: pid, mappings: mappings, regions: regionRecords))
            for r in regionRecords {
                guard let state = regions[name]?[r.name] else { continue }
                let page = UInt64(pageSize)
                let lower = state.address / page * page
                let upper = (state.address + state.length + page - 1) / page * page
                // Cross-check only when the covering mappings are exactly the region's pages.
                let covering = r.mappingIndexes.map { smaps.mappings[$0] }
                let exact = !covering.isEmpty && covering.first!.start == lower && covering.last!.end == upper
                let figures = exact ? FrameCrossCheck.SmapsFigures(
                    sharedBytes: ((r.kB["Shared_Clean"] ?? 0) + (r.kB["Shared_Dirty"] ?? 0)) * 1024,
                    privateBytes: ((r.kB["Private_Clean"] ?? 0) + (r.kB["Private_Dirty"] ?? 0)) * 1024,
                    pssBytes: (r.kB["Pss"] ?? 0) * 1024) : nil
                frameTargets.append(FrameSnapshot.Target(process: name, region: r.name, pid: pid, range: lower..<upper, smaps: figures))
            }
        }
        let frames = FrameSnapshot.read(frameTargets, pageSize: pageSize)
        if let problem = frames.problem { throw StepFailure(message: "reading frames: \(problem)") }
        return SnapshotRecord(label: label, afterStep: afterStep, processes: processes, frames: frames.frames,
                              joins: frames.joins, crossChecks: frames.crossChecks)
    }

    // MARK: Words

    func describe(_ step: Step) -> String {
        let ctx = EvaluationContext(pageSize: pageSize, parameter: { parameters[$0] })
        func size(_ e: SizeExpression) -> String {
            guard let q = try? e.evaluate(in: ctx) else { return "\(e)" }
            let pages = q.value / Double(pageSize)
            let p = pages == pages.rounded() ? " (\(Int(pages)) \(pages == 1 ? "page" : "pages"))" : ""
            return Quantity.formatBytes(q.value, pageSize: pageSize) + p
        }
        func range(_ r: ByteRange) -> String {
            var s = ""
            if let o = r.offset { s += " from offset \(size(o))" }
            if let l = r.length { s += " for \(size(l))" }
            return s
        }
        switch step.operation {
        case .malloc(let r, let s): return "malloc \(size(s)) as `\(r)`"
        case .free(let r): return "free `\(r)`"
        case .mmap(let r, let s, let sharing, let prot, let file, let populate, let offset, let align):
            let flags = ["MAP_\(sharing.rawValue.uppercased())", file == nil ? "MAP_ANONYMOUS" : nil, populate ? "MAP_POPULATE" : nil]
                .compactMap { $0 }.joined(separator: "|")
            let what = file.map { "file `\($0)`" + (offset.map { " at offset \(size($0))" } ?? "") } ?? "anonymous memory"
            return "mmap \(size(s)) of \(what), \(prot == .rw ? "PROT_READ|PROT_WRITE" : "PROT_READ"), \(flags), as `\(r)`"
                + (align.map { ", aligned to \(size($0))" } ?? "")
        case .fill(let r, let b, let rg): return "write byte \(b) to `\(r)`\(range(rg))"
        case .touch(let r, let rg, let every): return every ? "read one int from every page of `\(r)`\(range(rg))" : "read one int from `\(r)`\(range(rg))"
        case .check(let r, let b, let rg): return "check that `\(r)`\(range(rg)) reads byte \(b)"
        case .copy(let from, let to): return "memcpy all of `\(from)` over the start of `\(to)`"
        case .madvise(let r, let a, let rg): return "madvise(MADV_\(a.uppercased())) on `\(r)`\(range(rg))"
        case .msync(let r, let f): return "msync(MS_\(f.uppercased())) `\(r)`"
        case .munmap(let r): return "munmap `\(r)`"
        case .mlock(let r): return "mlock `\(r)`"
        case .munlock(let r): return "munlock `\(r)`"
        case .fork(let c): return "fork(); the child is `\(c)`"
        case .spawn: return "start an independent subject"
        case .exit(let code): return "exit(\(code))"
        case .createFile(let f, let s, let chunk, let b, let sync, let dir, let sparse):
            let place = dir == .shm ? "/dev/shm (tmpfs)" : "the data directory"
            if sparse { return "create sparse file `\(f)` of \(size(s)) on \(place) (ftruncate, no data written)\(sync ? ", then fsync" : "")" }
            return "create file `\(f)` of \(size(s)) on \(place), written in \(size(chunk)) chunks of byte \(b)\(sync ? ", then fsync" : "")"
        case .clearRefs(let v): return "write \(v) to /proc/PID/clear_refs"
        }
    }
}

func hex(_ v: UInt64) -> String { String(v, radix: 16) }

extension MappingRecord {
    init(_ m: Mapping) {
        var kB: [String: UInt64] = [:]
        for f in m.fieldNames { kB[f] = m.kilobytes(f) }
        self.init(start: hex(m.start), end: hex(m.end),
                  permissions: (m.readable ? "r" : "-") + (m.writable ? "w" : "-") + (m.executable ? "x" : "-") + (m.isShared ? "s" : "p"),
                  offset: hex(m.offset), pathname: m.pathname + (m.isDeleted ? " (deleted)" : ""), kB: kB)
    }
}
