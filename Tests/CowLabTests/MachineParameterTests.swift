import Foundation
import Testing
@testable import CowLab

/// `$fault_around` and the other read-only machine parameters, and the
/// `data-fs` requirement: probed, loaded, resolved, refused when set.
@Suite("Machine parameters and data file system")
struct MachineParameterTests {
    /// A scratch /sys tree holding only what a test writes into it.
    func fakeSys(_ files: [String: String]) throws -> String {
        let root = NSTemporaryDirectory() + "cowlab-fakesys-\(UInt32.random(in: 0...UInt32.max))"
        for (path, text) in files {
            let full = root + "/" + path
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        return root
    }

    @Test("fault_around_bytes comes from debugfs when it is readable")
    func faultAroundFromDebugfs() throws {
        let sys = try fakeSys(["kernel/debug/fault_around_bytes": "32768\n"])
        defer { try? FileManager.default.removeItem(atPath: sys) }
        let fa = EnvironmentProbe.faultAround(sysRoot: sys, pageSize: 4096)
        #expect(fa.bytes == 32768)
        #expect(fa.source.contains("debugfs"))
    }

    @Test("without debugfs it is the kernel default, whole pages and at least one", arguments: [
        (4096, 65536), (16384, 65536), (65536, 65536), (262_144, 262_144),
    ] as [(Int, Int)])
    func faultAroundDefault(pageSize: Int, bytes: Int) throws {
        let sys = try fakeSys([:])
        defer { try? FileManager.default.removeItem(atPath: sys) }
        let fa = EnvironmentProbe.faultAround(sysRoot: sys, pageSize: pageSize)
        #expect(fa.bytes == bytes)
        #expect(fa.source.contains("default"))
    }

    @Test("the live probe records a fault-around size of whole pages")
    func liveProbe() throws {
        let env = EnvironmentProbe.probe(dataDirectory: NSTemporaryDirectory())
        let faultAround: Int? = env.faultAroundBytes
        let bytes = try #require(faultAround)
        #expect(bytes >= env.pageSize)
        #expect(bytes % env.pageSize == 0)
        #expect(env.faultAroundSource?.isEmpty == false)
    }

    @Test("an older record without fault-around fields still decodes")
    func oldRecordDecodes() throws {
        var env = EnvironmentProbe.probe(dataDirectory: "/tmp")
        env.faultAroundBytes = nil
        env.faultAroundSource = nil
        let data = try JSONEncoder().encode(env)
        let json = String(decoding: data, as: UTF8.self)
        #expect(!json.contains("faultAround"))
        #expect(try JSONDecoder().decode(EnvironmentRecord.self, from: data) == env)
    }

    static let scenario = """
    version: 1
    name: fa
    title: fault-around
    source: test
    params:
      chunk: 1MiB
    requires: { data-fs: [ext4, xfs] }
    steps:
      - { as: made, do: create-file, file: data, size: 4MiB, chunk: $chunk }
      - { as: mapped, in: parent, do: mmap, region: m, size: 2MiB, map: shared, prot: r, file: data }
      - { as: read, in: parent, do: touch, region: m, pages: one }
    expect:
      - at: read
        in: parent
        region: m
        Rss: ">= $fault_around"
        Pss: "<= max($fault_around, $chunk)"
    """

    @Test("a scenario reads $fault_around; only the machine parameters it uses are recorded")
    func loaderNotesMachineParameters() throws {
        let s = try ScenarioLoader.parse(Self.scenario, file: "fa.yaml")
        #expect(s.machineParameters == ["fault_around"])
        #expect(s.requirements == [.dataFileSystem(["ext4", "xfs"])])
        #expect(try ScenarioLoader.parse(baseScenario, file: "demo.yaml").machineParameters.isEmpty)
    }

    @Test("a scenario cannot declare a parameter named like a machine parameter")
    func reservedName() {
        let text = Self.scenario.replacingOccurrences(of: "  chunk: 1MiB", with: "  fault_around: 4KiB")
        #expect { try ScenarioLoader.parse(text, file: "fa.yaml") } throws: { "\($0)".contains("machine parameter") && "\($0)".contains("fa.yaml:6") }
    }

    @Test("an unknown parameter in a tolerance is refused at load")
    func toleranceParameter() {
        let text = Self.scenario.replacingOccurrences(of: "\">= $fault_around\"", with: "\"~ 64KiB ± $slack\"")
        #expect { try ScenarioLoader.parse(text, file: "fa.yaml") } throws: { "\($0)".contains("unknown parameter $slack") }
    }

    @Test("an empty data-fs list is refused")
    func emptyDataFs() {
        let text = Self.scenario.replacingOccurrences(of: "[ext4, xfs]", with: "[]")
        #expect { try ScenarioLoader.parse(text, file: "fa.yaml") } throws: { "\($0)".contains("fa.yaml:7: requires.data-fs: must list at least one name") }
    }

    @Test("--set cannot change a machine parameter")
    func setRefused() throws {
        var options = RunOptions()
        options.overrides = ["fault_around": "4KiB"]
        let runner = Runner(scenario: try ScenarioLoader.parse(Self.scenario, file: "fa.yaml"), options: options)
        #expect { try runner.resolveParameters(pageSize: 4096) } throws: { "\($0)".contains("read from this machine") }
    }

    @Test("machine parameters resolve to sizes and to report rows")
    func resolve() {
        var env = EnvironmentProbe.probe(dataDirectory: "/tmp")
        env.faultAroundBytes = 65536
        env.faultAroundSource = "kernel default"
        let (values, rows) = MachineParameters.resolve(["fault_around"], environment: env)
        #expect(values["fault_around"] == Quantity(bytes: 65536))
        #expect(rows.map(\.name) == ["fault_around"])
        #expect(rows.first?.text == "machine: kernel default")
        env.faultAroundBytes = nil
        #expect(MachineParameters.resolve(["fault_around"], environment: env).0.isEmpty)
    }

    @Test("data-fs skips on another file system, naming both")
    func dataFsRequirement() {
        var env = EnvironmentProbe.probe(dataDirectory: "/dev/shm")
        env.dataFileSystem = "tmpfs"
        let reason = RequirementCheck.firstUnmet([.dataFileSystem(["ext4", "xfs", "btrfs"])], environment: env)
        #expect(reason == "needs the data directory on ext4, xfs or btrfs; /dev/shm is tmpfs here (choose another with --data-dir)")
        env.dataFileSystem = "xfs"
        #expect(RequirementCheck.firstUnmet([.dataFileSystem(["ext4", "xfs"])], environment: env) == nil)
    }
}
