// ParseBench: in-process timings of the Smaps library, compiled by
// scripts/bench-smaps.sh with `swiftc -O` together with Sources/Smaps/*.swift.
//
//   smaps-parse-bench [--cpu] FILE|PID RUNS
//   smaps-parse-bench --once FILE|PID
//
// For each run it times, separately: the read(2) loop alone into one buffer,
// parse of those bytes, read + parse (streamed, as `SmapsSnapshot.read`
// does), and read + parse + JSON encode (what `cowlab snapshot --json` does),
// and prints the medians in milliseconds as `name median_ms` lines.
//
// --once does exactly what `cowlab snapshot TARGET --json` does, once, and
// writes the JSON to stdout: the stand-in for the CLI while its root command
// does not exist (a whole-process measurement without ArgumentParser).

#if canImport(Glibc)
import Glibc
#endif

/// Milliseconds on the clock chosen with --cpu (process CPU time, which other
/// load on the machine does not inflate) or wall-clock (the default).
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
guard args.count == 3, let runs = Int(args[2]) else {
    fputs("usage: smaps-parse-bench [--cpu] FILE|PID RUNS | --once FILE|PID\n", stderr)
    exit(64)
}
let target = args[1]
let path = Int32(target).map { "/proc/\($0)/smaps" } ?? target

var readTimes: [Double] = []
var parseTimes: [Double] = []
var parseOnlyTimes: [Double] = []
var jsonTimes: [Double] = []
var mappings = 0
var jsonBytes = 0
for _ in 0..<runs {
    var t0 = now()
    let bytes = try readWholeFile(path)
    readTimes.append(now() - t0)

    t0 = now()
    let parsedOnly = try SmapsSnapshot(parsing: bytes, source: path)
    parseOnlyTimes.append(now() - t0)
    mappings = parsedOnly.mappings.count

    t0 = now()
    let snapshot = try SmapsSnapshot.read(path: path)
    parseTimes.append(now() - t0)

    t0 = now()
    let out = SmapsJSON.encode(snapshot)
    jsonTimes.append(now() - t0 + parseTimes.last!)
    jsonBytes = out.count
    // Free the snapshots here, outside the timed regions.
    withExtendedLifetime((parsedOnly, snapshot, out)) {}
}
print("file \(path) bytes \(try readWholeFile(path).count) mappings \(mappings) json_bytes \(jsonBytes)")
print("read_ms \(median(readTimes))")
print("parse_only_ms \(median(parseOnlyTimes))")
print("read_parse_ms \(median(parseTimes))")
print("read_parse_json_ms \(median(jsonTimes))")
