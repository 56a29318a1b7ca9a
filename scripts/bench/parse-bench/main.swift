// smaps-parse-bench: in-process timings of the Smaps library, compiled by
// scripts/bench-smaps.sh with `swiftc -O -wmo` together with Sources/Smaps/*.swift
// (one module, so internal functions are reachable).
//
//   smaps-parse-bench [--cpu] FILE|PID RUNS
//   smaps-parse-bench --once FILE|PID
//
// Each phase runs RUNS times (steady state, as in an observer that takes
// snapshot after snapshot) and prints its median in milliseconds:
//   read_ms             readWholeFile: a read(2) loop into one growing buffer
//   parse_only_ms       SmapsSnapshot(parsing:) of bytes already in memory
// and then, interleaved run by run so that drifting load hits all three:
//   floor_ms            a read(2) loop into a reused 1 MiB buffer (what cat does)
//   read_parse_ms       SmapsSnapshot.read(path:) (read ahead on a second thread
//                       for procfs) + parse
//   read_parse_json_ms  what `cowlab snapshot TARGET --json` does after argument
//                       parsing: read + parse + JSON (encoded while reading), to /dev/null
// --cpu measures process CPU time (both threads) instead of wall-clock time.
//
// --once does exactly what `cowlab snapshot TARGET --json` does, once, and
// writes the JSON to stdout, in a binary with the Smaps library only: built
// with -static-stdlib it shows what the command would cost without
// Foundation and ArgumentParser in the executable (BENCHMARKS.md, "a
// Foundation-free front end").

#if canImport(Glibc)
import Glibc
#endif

var clock = CLOCK_MONOTONIC

@inline(never)
func now() -> Double {
    var ts = timespec()
    clock_gettime(clock, &ts)
    return Double(ts.tv_sec) * 1e3 + Double(ts.tv_nsec) / 1e6
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// Runs `body` `runs` times (after one warm-up) and returns the median time.
func measure(_ runs: Int, _ body: () throws -> Void) rethrows -> Double {
    try body()
    var times: [Double] = []
    for _ in 0..<runs {
        let t0 = now()
        try body()
        times.append(now() - t0)
    }
    return median(times)
}

var args = CommandLine.arguments
if args.count == 3 && args[1] == "--once" {
    do {
        try SmapsFrontend.runSnapshot(target: args[2], json: true)
        exit(0)
    } catch let failure as SmapsFrontend.Failure {
        SmapsFrontend.writeStandardError(failure.message)
        exit(failure.exitCode)
    }
}
if let i = args.firstIndex(of: "--cpu") {
    clock = CLOCK_PROCESS_CPUTIME_ID
    args.remove(at: i)
}
guard args.count == 3, let runs = Int(args[2]), runs > 0 else {
    fputs("usage: smaps-parse-bench [--cpu] FILE|PID RUNS | --once FILE|PID\n", stderr)
    exit(64)
}
let path = Int32(args[1]).map { "/proc/\($0)/smaps" } ?? args[1]
let devNull = open("/dev/null", O_WRONLY)

let bytes = try readWholeFile(path)
let mappings = try SmapsSnapshot(parsing: bytes, source: path).mappings.count
print("file \(path) bytes \(bytes.count) mappings \(mappings)")

var sink = 0
let readMs = try measure(runs) { sink &+= try readWholeFile(path).count }
print("read_ms \(readMs)")
let parseMs = try measure(runs) { sink &+= try SmapsSnapshot(parsing: bytes, source: path).mappings.count }
print("parse_only_ms \(parseMs)")

let floorBuffer = UnsafeMutableRawPointer.allocate(byteCount: 1 << 20, alignment: 16)
func floorRead() {
    let fd = open(path, O_RDONLY)
    while read(fd, floorBuffer, 1 << 20) > 0 {}
    close(fd)
}
func readParse() throws { sink &+= try SmapsSnapshot.read(path: path).mappings.count }
func readParseJSON() throws {
    _ = try SmapsJSON.streamJSON({ try SmapsSnapshot.stream(path: path, each: $0) }, source: path, to: devNull)
}
floorRead()
try readParse()
try readParseJSON()
var floorTimes: [Double] = [], parseTimes: [Double] = [], jsonTimes: [Double] = []
for _ in 0..<runs {
    var t0 = now()
    floorRead()
    floorTimes.append(now() - t0)
    t0 = now()
    try readParse()
    parseTimes.append(now() - t0)
    t0 = now()
    try readParseJSON()
    jsonTimes.append(now() - t0)
}
print("floor_ms \(median(floorTimes))")
print("read_parse_ms \(median(parseTimes))")
print("read_parse_json_ms \(median(jsonTimes))")
if sink == 42 { print("") }
