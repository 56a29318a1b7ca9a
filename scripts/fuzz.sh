#!/usr/bin/env bash
# Fuzz the smaps parser and the scenario loader with libFuzzer.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 600 s; targets: smaps scenario)
#
# Builds the libraries with -sanitize=fuzzer,address into .build-fuzz/, links one
# fuzzer per target from scripts/fuzz/Fuzz*.swift, seeds the corpora from the
# parser fixtures and the scenario catalogue, and runs each. Crashes land in
# fuzz-out/TARGET/ (git-ignored); each one found becomes a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"; shift || true
targets=("${@:-smaps scenario}")
read -r -a targets <<<"${targets[*]}"
scratch=.build-fuzz
echo "building instrumented libraries (release) into $scratch ..."
if ! swift build -c release --target CowLab --scratch-path "$scratch" \
  -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address >"$scratch.log" 2>&1; then
  tail -n 30 "$scratch.log" >&2
  echo "fuzz.sh: the instrumented build failed (full log: $scratch.log)" >&2
  exit 1
fi
B="$scratch/release"
link() { # name entry.swift modules...
  local name="$1" entry="$2"; shift 2
  local objs=()
  for m in "$@"; do while IFS= read -r o; do objs+=("$o"); done < <(find "$B/$m.build" -name '*.o'); done
  swiftc -O -sanitize=fuzzer,address -parse-as-library -I "$B/Modules" \
    -Xcc -fmodule-map-file="$scratch/checkouts/Yams/Sources/CYaml/include/module.modulemap" \
    -Xcc -fmodule-map-file="$B/CCowlabShim.build/module.modulemap" \
    "$entry" "${objs[@]}" -o "$B/fuzz-$name" 2>&1 | grep -v "Cannot export local symbol" || true
  test -x "$B/fuzz-$name"
}
for t in "${targets[@]}"; do
  corpus="fuzz-out/$t/corpus"; crashes="fuzz-out/$t/crashes"
  mkdir -p "$corpus" "$crashes"
  case "$t" in
    smaps)    link smaps scripts/fuzz/FuzzSmaps.swift Smaps
              cp -n Tests/SmapsTests/Fixtures/*smaps* "$corpus"/ 2>/dev/null || true ;;
    scenario) link scenario scripts/fuzz/FuzzScenario.swift CYaml Yams Smaps PageMap CCowlabShim CowLab
              cp -n Scenarios/*.yaml "$corpus"/ ;;
    *) echo "unknown fuzz target '$t' (smaps, scenario)" >&2; exit 64 ;;
  esac
  echo "fuzzing $t for ${seconds}s ..."
  # Swift's backtracer hangs after the first crash under libFuzzer: turn it off.
  SWIFT_BACKTRACE=enable=no "$B/fuzz-$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
    -max_len=65536 -artifact_prefix="$crashes/" -print_final_stats=1 "$corpus" 2>&1 | tail -n 25 | tee "fuzz-out/$t/last-run.txt"
  n=$(find "$crashes" -type f | wc -l)
  echo "$t: $n crash/timeout artifacts in $crashes"
done
