#!/usr/bin/env bash
# Rebuilds cowlab and re-runs the whole catalogue into results/, the committed
# reference run of this machine. Use it when scenarios (or the reports) change,
# then review `git diff results/` and commit it.
#
#   scripts/regenerate-results.sh                 # md + json, as cowlab run --all does
#   scripts/regenerate-results.sh --format md,json,junit
#
# The run goes to a fresh directory first and replaces results/ only when it
# completed (exit 0: everything held, or 1: some expectation failed, which the
# reports then show), so files of renamed or removed scenarios and labels do not
# linger, and a broken catalogue or a run error leaves the old results alone.
set -euo pipefail

cd "$(dirname "$0")/.."

swift build
bin="$(swift build --show-bin-path)"

new="$(mktemp -d "${TMPDIR:-/tmp}/cowlab-results.XXXXXX")"
trap 'rm -rf "$new"' EXIT

status=0
"$bin/cowlab" run --all --out "$new" "$@" || status=$?

case "$status" in
  0|1)
    rm -rf results
    mkdir -p results
    cp -R "$new"/. results/
    echo "results/ regenerated ($(ls results | wc -l) files)."
    if [ "$status" -eq 1 ]; then
      echo "note: some expectations did not hold on this machine; see results/README.md." >&2
    fi
    exit "$status"
    ;;
  *)
    echo "cowlab exited with $status; results/ left as it was." >&2
    exit "$status"
    ;;
esac
