#!/bin/sh
# Runs PageMapTests twice: as the current user (root on the reference machine)
# and as nobody (uid 65534), where pagemap hides frame numbers and
# /proc/kpagecount and /proc/kpageflags are unreadable. The live tests adapt:
# unprivileged, they check the exclusive-bit fallback instead of frames.
set -eu
cd "$(dirname "$0")/.."
swift build --build-tests
bundle=.build/debug/cowlabPackageTests.xctest
echo "== as $(id -un)"
"$bundle" --testing-library swift-testing --filter PageMapTests 2>&1 | grep -E 'Test run|✘|skipped'
echo "== as nobody (setpriv --reuid=65534 --regid=65534 --clear-groups)"
(cd /tmp && setpriv --reuid=65534 --regid=65534 --clear-groups "$OLDPWD/$bundle" \
    --testing-library swift-testing --filter PageMapTests 2>&1 | grep -E 'Test run|✘|skipped')
