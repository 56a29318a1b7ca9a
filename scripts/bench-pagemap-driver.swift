// Benchmark driver for scripts/bench-pagemap.sh, compiled with swiftc -O together
// with Sources/PageMap/*.swift (one module, so no import). Not a test.
//
// usage: driver PARENT_PID CHILD_PID ADDRESS_HEX LENGTH ITERATIONS EXPECT(shared|copied)

import Glibc

/// User + system CPU time of this process (all threads), in ms.
func cpuMs() -> Double {
    var u = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
    return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1000
        + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1000
}

let args = CommandLine.arguments
guard args.count == 7, let parent = Int32(args[1]), let child = Int32(args[2]),
      let address = UInt64(args[3], radix: 16), let length = UInt64(args[4]), let iterations = Int(args[5]) else {
    fatalError("usage: driver PARENT CHILD ADDRESS_HEX LENGTH ITERATIONS shared|copied")
}
let expect = args[6]
let range = address..<(address + length)
let clock = ContinuousClock()

func ms(_ d: Duration) -> Double {
    Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
}

var phases: [String: [Double]] = [:]
let names = ["pagemap x2", "kpagecount+kpageflags", "RegionPages x2", "FrameJoin", "total"]
let targets: [RegionPages.Target] = [.init(pid: parent, range: range), .init(pid: child, range: range)]
var last: FrameJoin.Result?
for _ in 0..<iterations {
    // The steps of RegionPages.read(_:) timed one by one (internal API: this
    // file is compiled into the module).
    let t0 = clock.now
    let entries = try RegionPages.readEntries(targets, pageSize: systemPageSize, procRoot: "/proc")
    let t1 = clock.now
    let table = RegionPages.frameTable(for: entries, procRoot: "/proc")
    let t2 = clock.now
    let ra = RegionPages(pid: parent, start: address, pageSize: systemPageSize, entries: entries[0], frames: table)
    let rb = RegionPages(pid: child, start: address, pageSize: systemPageSize, entries: entries[1], frames: table)
    let t3 = clock.now
    let join = FrameJoin.compare(parent: ra, child: rb)
    let t4 = clock.now
    for (name, d) in zip(names, [t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0]) {
        phases[name, default: []].append(ms(d))
    }
    precondition(table.mapcountStatus == .available, "kpagecount: \(table.mapcountStatus)")
    precondition(table.flagsStatus == .available, "kpageflags: \(table.flagsStatus)")
    last = join
}

// The same work through the public one-call API, with and without taking map
// count 1 from the exclusive bit.
var api: [Double] = [], apiFull: [Double] = [], apiCPU: [Double] = []
for _ in 0..<iterations {
    var t0 = clock.now
    let c0 = cpuMs()
    var r = try RegionPages.read(targets)
    _ = FrameJoin.compare(parent: r[0], child: r[1])
    api.append(ms(clock.now - t0))
    apiCPU.append(cpuMs() - c0)
    t0 = clock.now
    r = try RegionPages.read(targets, inferExclusiveMapcounts: false)
    _ = FrameJoin.compare(parent: r[0], child: r[1])
    apiFull.append(ms(clock.now - t0))
}

func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s[s.count / 2] }
func fmt(_ x: Double) -> String {
    let r = (x * 10).rounded() / 10
    return String(r)
}

let pages = Int(length) / systemPageSize
let join = last!
print("pages per process: \(pages); join: shared \(join.counts.shared), copied \(join.counts.copied), onlyFirst \(join.counts.onlyFirst), onlySecond \(join.counts.onlySecond), absent \(join.counts.absent)")
let expected = expect == "shared" ? join.counts.shared : join.counts.copied
precondition(expected == pages, "expected \(pages) \(expect) pages")
print("phase                      median ms   min ms   (\(iterations) runs)")
for name in names {
    let xs = phases[name]!
    print(name.rightPad(26), fmt(median(xs)).leftPad(9), fmt(xs.min()!).leftPad(8))
}
print("RegionPages.read + join".rightPad(26), fmt(median(api)).leftPad(9), fmt(api.min()!).leftPad(8))
print("  its CPU time (all threads)".rightPad(26), fmt(median(apiCPU)).leftPad(9), fmt(apiCPU.min()!).leftPad(8))
print("  same, all kpagecount".rightPad(26), fmt(median(apiFull)).leftPad(9), fmt(apiFull.min()!).leftPad(8))
let total = median(api)
print("ratio to the 100 ms goal (RegionPages.read + join, median): \(fmt(total)) / 100 = \(String((total / 100 * 100).rounded() / 100)) (\(total < 100 ? "within" : "OVER") goal)")

extension String {
    func leftPad(_ n: Int) -> String { String(repeating: " ", count: max(0, n - count)) + self }
    func rightPad(_ n: Int) -> String { self + String(repeating: " ", count: max(0, n - count)) }
}
