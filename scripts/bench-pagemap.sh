#!/usr/bin/env bash
# Benchmark for issue #6: read pagemap + kpagecount + kpageflags for one 1 GiB
# region (262,144 pages) in a parent and its forked child, and join them by
# frame. Goal: under 100 ms. Prints medians and the ratio to the goal.
#
# usage: scripts/bench-pagemap.sh [SIZE_MIB=1024] [ITERATIONS=11]
# Needs root (kpagecount/kpageflags). Builds into .build/bench-pagemap/.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1024}
iterations=${2:-11}
out=.build/bench-pagemap
mkdir -p "$out"

if [ "$(id -u)" != 0 ]; then
    echo "bench-pagemap: needs root (CAP_SYS_ADMIN) for /proc/kpagecount and /proc/kpageflags" >&2
    exit 1
fi

cc -O2 -Wall -Wextra -o "$out/subject" scripts/bench-pagemap-subject.c
# Top-level code must live in a file named main.swift. -wmo as in a SwiftPM release build.
cp scripts/bench-pagemap-driver.swift "$out/main.swift"
swiftc -O -wmo -module-name PageMapBench -o "$out/driver" Sources/PageMap/*.swift "$out/main.swift"

echo "kernel $(uname -r), $(nproc) cores, page size $(getconf PAGESIZE), THP $(cat /sys/kernel/mm/transparent_hugepage/enabled)"
for mode in shared copied; do
    coproc SUBJECT { exec "$out/subject" "$size" "$mode"; }
    read -r parent child address length <&"${SUBJECT[0]}"
    echo
    echo "== $mode: ${size} MiB, parent $parent, child $child; load average $(cut -d' ' -f1-3 /proc/loadavg)"
    "$out/driver" "$parent" "$child" "$address" "$length" "$iterations" "$mode" || status=$?
    exec {SUBJECT[1]}>&-
    wait "$SUBJECT_PID" || true
    [ "${status:-0}" = 0 ] || exit "$status"
done
