#!/usr/bin/env bash
# Kill the observer with SIGKILL at random moments and count the subjects that
# outlive it (must be 0).
#
#   scripts/kill-test.sh [ITERATIONS] [SCENARIO] [SIZE]     (default 100 fork-write 64MiB)
#
# Each run is tagged with an environment variable the subjects inherit, so only
# this script's subjects are counted. Zombies are not survivors (they hold no
# memory); a live cowlab-subject one second after its observer died is.
set -euo pipefail
cd "$(dirname "$0")/.."
iterations="${1:-100}"; scenario="${2:-fork-write}"; size="${3:-64MiB}"
swift build --product cowlab >/dev/null
swift build --product cowlab-subject >/dev/null
bin="$(swift build --show-bin-path)/cowlab"
out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT
survivors=0; killed_mid_run=0
count_tagged() { # live (non-zombie) subjects carrying this run's tag
  local n=0 p state
  for p in $(pgrep -x cowlab-subject || true); do
    state=$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null || echo gone)
    if [ "$state" != Z ] && [ "$state" != gone ] && { tr '\0' '\n' <"/proc/$p/environ"; } 2>/dev/null | grep -qx "COWLAB_KILL_TEST=$1"; then
      n=$((n + 1))
    fi
  done
  echo "$n"
}
for i in $(seq "$iterations"); do
  tag="cowlab-kill-test-$$-$i"
  COWLAB_KILL_TEST="$tag" "$bin" run "$scenario" --set "size=$size" --out "$out" --quiet >/dev/null 2>&1 &
  pid=$!
  sleep "0.$(printf '%03d' $((RANDOM % 250)))"
  live_before=$(count_tagged "$tag")
  if kill -9 "$pid" 2>/dev/null && [ "$live_before" -gt 0 ]; then killed_mid_run=$((killed_mid_run + 1)); fi
  wait "$pid" 2>/dev/null || true
  left=0
  for _ in $(seq 20); do
    left=$(count_tagged "$tag")
    [ "$left" -eq 0 ] && break
    sleep 0.05
  done
  if [ "$left" -ne 0 ]; then echo "iteration $i: $left subject(s) survived" >&2; fi
  survivors=$((survivors + left))
done
echo "kill test: $iterations kills, $killed_mid_run of them with live subjects, $survivors surviving subjects"
[ "$survivors" -eq 0 ]
