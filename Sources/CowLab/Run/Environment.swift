import Foundation
import Smaps

/// What this machine's kernel does that changes what smaps shows, recorded in
/// every report so a reader can tell why their numbers differ from ours.
public struct EnvironmentRecord: Codable, Sendable, Equatable {
    public var kernelRelease: String
    public var machine: String
    public var pageSize: Int
    public var thpEnabled: String          // the bracketed mode: always / madvise / never / unavailable
    public var thpDefrag: String
    public var thpPmdSize: Int?            // bytes
    public var mthpSizesEnabled: [String]  // e.g. ["64kB: inherit"] for non-"never" mTHP sizes
    public var pageMapcount: String        // "PAGE_MAPCOUNT", "NO_PAGE_MAPCOUNT" or "unknown (why)"
    public var swapTotalKiB: Int
    public var ksmRunning: Bool?
    public var root: Bool
    public var dataDirectory: String
    public var dataFileSystem: String
    public var readaheadKiB: Int?
    public var memAvailableKiB: Int
    /// How much a read fault on a file mapping maps around the faulting address:
    /// debugfs `fault_around_bytes` when readable, else the kernel's default.
    /// Optional so records written before it was probed still decode.
    public var faultAroundBytes: Int?
    /// Where `faultAroundBytes` came from, in words.
    public var faultAroundSource: String?
    /// DAMON monitoring threads (`kdamond.N`) running on the machine. DAMON samples
    /// accessed bits of physical pages and moves them into a page flag every mapper
    /// sees, which can change `Referenced`. nil when not probed (older records).
    public var damonThreads: [String]?

    public var swapActive: Bool { swapTotalKiB > 0 }

    /// `[6, 18, 44]` from "6.18.44-fc-v669".
    public var kernelVersion: [Int] {
        let numeric = kernelRelease.prefix { $0.isNumber || $0 == "." }
        return numeric.split(separator: ".").compactMap { Int($0) }
    }
}

public enum EnvironmentProbe {
    public static func probe(dataDirectory: String, procRoot: String = "/proc", sysRoot: String = "/sys") -> EnvironmentRecord {
        var u = utsname()
        uname(&u)
        let release = withUnsafeBytes(of: &u.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let machine = withUnsafeBytes(of: &u.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let thp = "\(sysRoot)/kernel/mm/transparent_hugepage"
        let meminfo = readText("\(procRoot)/meminfo") ?? ""
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let faultAround = faultAround(sysRoot: sysRoot, pageSize: pageSize)
        return EnvironmentRecord(
            kernelRelease: release,
            machine: machine,
            pageSize: pageSize,
            thpEnabled: bracketed(readText("\(thp)/enabled")) ?? "unavailable",
            thpDefrag: bracketed(readText("\(thp)/defrag")) ?? "unavailable",
            thpPmdSize: readText("\(thp)/hpage_pmd_size").flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) },
            mthpSizesEnabled: mthpSizes(thp),
            pageMapcount: procRoot == "/proc" ? liveKernelMapcount : pageMapcount(procRoot: procRoot, release: release),
            swapTotalKiB: meminfoValue(meminfo, "SwapTotal") ?? 0,
            ksmRunning: readText("\(sysRoot)/kernel/mm/ksm/run").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) == "1" },
            root: geteuid() == 0,
            dataDirectory: dataDirectory,
            dataFileSystem: fileSystemName(dataDirectory),
            readaheadKiB: readahead(dataDirectory, sysRoot: sysRoot),
            memAvailableKiB: meminfoValue(meminfo, "MemAvailable") ?? 0,
            faultAroundBytes: faultAround.bytes,
            faultAroundSource: faultAround.source,
            damonThreads: kernelThreads(prefix: "kdamond", procRoot: procRoot)
        )
    }

    /// Names of kernel threads whose name starts with `prefix`, sorted.
    static func kernelThreads(prefix: String, procRoot: String) -> [String] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: procRoot) else { return [] }
        return entries.filter { $0.allSatisfy(\.isNumber) }.compactMap { pid -> String? in
            guard let comm = readText("\(procRoot)/\(pid)/comm")?.trimmingCharacters(in: .whitespacesAndNewlines),
                  comm.hasPrefix(prefix) else { return nil }
            return comm
        }.sorted()
    }

    /// The kernel's default `fault_around_bytes` (mm/memory.c): 64 KiB, kept as
    /// a whole number of pages and never less than one page.
    static let defaultFaultAroundBytes = 65536

    /// `fault_around_bytes` from debugfs (root, debugfs mounted), else the kernel
    /// default for this page size. The tunable lives only in debugfs; without it
    /// a changed value cannot be seen, and the source says so.
    static func faultAround(sysRoot: String, pageSize: Int) -> (bytes: Int, source: String) {
        if let text = readText("\(sysRoot)/kernel/debug/fault_around_bytes"),
           let v = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), v > 0 {
            return (v, "fault_around_bytes (debugfs)")
        }
        let pages = max(1, defaultFaultAroundBytes / max(pageSize, 1))
        return (pages * pageSize, "kernel default fault_around_bytes (debugfs not readable)")
    }

    static func readText(_ path: String) -> String? {
        guard let bytes = try? readWholeFile(path) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// "always [madvise] never" -> "madvise".
    static func bracketed(_ text: String?) -> String? {
        guard let text, let open = text.firstIndex(of: "["), let close = text[open...].firstIndex(of: "]") else { return nil }
        return String(text[text.index(after: open)..<close])
    }

    static func mthpSizes(_ thp: String) -> [String] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: thp) else { return [] }
        return entries.filter { $0.hasPrefix("hugepages-") }
            .sorted { (Int($0.dropFirst(10).dropLast(2)) ?? 0) < (Int($1.dropFirst(10).dropLast(2)) ?? 0) }
            .compactMap { dir in
                guard let mode = bracketed(readText("\(thp)/\(dir)/enabled")), mode != "never" else { return nil }
                return "\(dir.dropFirst(10)): \(mode)"
            }
    }

    static func meminfoValue(_ text: String, _ key: String) -> Int? {
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            return Int(line.dropFirst(key.count + 1).split(separator: " ").first ?? "")
        }
        return nil
    }

    /// CONFIG_PAGE_MAPCOUNT / CONFIG_NO_PAGE_MAPCOUNT (6.15+) from the kernel's
    /// config: /proc/config.gz (decompressed by gzip) or /boot/config-RELEASE.
    /// The running kernel's config does not change while we run: read (and gunzip) it once.
    static let liveKernelMapcount: String = {
        var u = utsname()
        uname(&u)
        let release = withUnsafeBytes(of: &u.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return pageMapcount(procRoot: "/proc", release: release)
    }()

    static func pageMapcount(procRoot: String, release: String) -> String {
        var config: String?
        if FileManager.default.fileExists(atPath: "\(procRoot)/config.gz") {
            config = runGunzip("\(procRoot)/config.gz")
        }
        if config == nil { config = readText("/boot/config-\(release)") }
        guard let config else { return "unknown (no readable kernel config)" }
        if config.contains("CONFIG_NO_PAGE_MAPCOUNT=y") { return "NO_PAGE_MAPCOUNT" }
        if config.contains("CONFIG_PAGE_MAPCOUNT=y") { return "PAGE_MAPCOUNT" }
        return "PAGE_MAPCOUNT (kernel predates the option)"
    }

    static func runGunzip(_ path: String) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-dc", path]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// The file system type of the mount holding `path`, from /proc/self/mountinfo
    /// (the longest mount point that prefixes the resolved path).
    static func fileSystemName(_ path: String, procRoot: String = "/proc") -> String {
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard let info = readText("\(procRoot)/self/mountinfo") else { return "unknown" }
        var best: (length: Int, type: String) = (-1, "unknown")
        for line in info.split(separator: "\n") {
            // id parent major:minor root mountpoint options... - fstype source superoptions
            let fields = line.split(separator: " ")
            guard fields.count > 4, let dash = fields.firstIndex(of: "-"), dash + 1 < fields.count else { continue }
            let mountPoint = fields[4].replacingOccurrences(of: "\\040", with: " ")
            let matches = resolved == mountPoint || mountPoint == "/" || resolved.hasPrefix(mountPoint + "/")
            if matches && mountPoint.count >= best.length { best = (mountPoint.count, String(fields[dash + 1])) }
        }
        return best.type
    }

    /// read_ahead_kb of the block device holding `path`, when there is one.
    static func readahead(_ path: String, sysRoot: String) -> Int? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        let major = (st.st_dev >> 8) & 0xfff, minor = (st.st_dev & 0xff) | ((st.st_dev >> 12) & 0xfff00)
        let base = "\(sysRoot)/dev/block/\(major):\(minor)"
        for candidate in ["\(base)/queue/read_ahead_kb", "\(base)/../queue/read_ahead_kb"] {
            if let t = readText(candidate), let v = Int(t.trimmingCharacters(in: .whitespacesAndNewlines)) { return v }
        }
        return nil
    }
}
