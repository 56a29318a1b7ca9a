#!/usr/bin/env bash
# Kill the observer with SIGKILL at random moments and count the subjects that
# outlive it (must be 0).
#
#   scripts/kill-test.sh [ITERATIONS] [SCENARIO] [SIZE]     (default 100 fork-write 64MiB)
#
# A subject's command line is `cowlab-subject 1 OBSERVER-PID` (a forked child
# keeps its parent's), so only the subjects of the observer just killed are
# counted. Zombies are not survivors (they hold no memory); a live
# cowlab-subject one second after its observer died is. The test fails too if
# no kill at all landed while subjects were alive (it would prove nothing).
set -euo pipefail
cd "$(dirname "$0")/.."
iterations="${1:-100}"; scenario="${2:-fork-write}"; size="${3:-64MiB}"
swift build --product cowlab >/dev/null
swift build --product cowlab-subject >/dev/null
bin="$(swift build --show-bin-path)/cowlab"
out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT
survivors=0; killed_mid_run=0
count_subjects() { # live (non-zombie) subjects of observer $1
  local n=0 p state
  for p in $(pgrep -x cowlab-subject || true); do
    state=$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null || echo gone)
    if [ "$state" != Z ] && [ "$state" != gone ] && { tr '\0' '\n' <"/proc/$p/cmdline"; } 2>/dev/null | sed -n 3p | grep -qx "$1"; then
      n=$((n + 1))
    fi
  done
  echo "$n"
}
for i in $(seq "$iterations"); do
  "$bin" run "$scenario" --set "size=$size" --out "$out" --quiet >/dev/null 2>&1 &
  pid=$!
  sleep "0.$(printf '%03d' $((RANDOM % 250)))"
  live_before=$(count_subjects "$pid")
  if kill -9 "$pid" 2>/dev/null && [ "$live_before" -gt 0 ]; then killed_mid_run=$((killed_mid_run + 1)); fi
  wait "$pid" 2>/dev/null || true
  left=0
  for _ in $(seq 20); do
    left=$(count_subjects "$pid")
    [ "$left" -eq 0 ] && break
    sleep 0.05
  done
  if [ "$left" -ne 0 ]; then echo "iteration $i: $left subject(s) survived" >&2; fi
  survivors=$((survivors + left))
done
echo "kill test: $iterations kills, $killed_mid_run of them with live subjects, $survivors surviving subjects"
[ "$survivors" -eq 0 ] || exit 1
if [ "$iterations" -ge 10 ] && [ "$killed_mid_run" -eq 0 ]; then
  echo "kill test: no kill landed while subjects were alive; it proved nothing" >&2
  exit 1
fi
