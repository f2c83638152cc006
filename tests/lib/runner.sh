#!/bin/bash
# SPDX-License-Identifier: MIT
#
# runner.sh DIR TIMEOUT [FILTER...] - run every DIR/*.sh test script (but
# run.sh) with a time limit. A script exits 0 (pass), 77 (skip) or anything
# else (fail). Prints "ok/FAIL/skip NAME" per test, the log of failures, and
# "N passed, N failed, N skipped" last; exits non-zero if any failed.
#
# Environment for the tests: KBOX_ROOT (the tree), KBOX (./kbox),
# KBOX_ROOTFS (default image), KBOX_CACHE, TEST_TMP (a fresh temp dir that
# is removed afterwards).
set -uo pipefail

dir=$1 limit=$2
shift 2
KBOX_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export KBOX_ROOT
export KBOX=${KBOX:-$KBOX_ROOT/kbox}
export KBOX_ROOTFS=${KBOX_ROOTFS:-$KBOX_ROOT/rootfs.ext4}
export KBOX_CACHE=${KBOX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kbox}

# The guest inherits kbox's fds past 2 (164-inherited-fds): tests start
# with none, whatever the caller (a CI agent, an editor) left open.
for f in /proc/$$/fd/*; do
    f=${f##*/}
    [ "$f" -gt 2 ] && [ "$f" -ne 255 ] && eval "exec $f>&-"
done 2>/dev/null

passed=0 failed=0 skipped=0
for t in "$dir"/*.sh; do
    name=$(basename "$t" .sh)
    [ "$name" = run ] && continue
    if [ $# -gt 0 ]; then
        match=0
        for f in "$@"; do [[ $name == *"$f"* ]] && match=1; done
        [ "$match" = 1 ] || continue
    fi
    TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/kbox-test.XXXXXX")
    export TEST_TMP
    log=$TEST_TMP.log
    start=$SECONDS
    timeout -k 10 "$limit" bash "$t" >"$log" 2>&1 </dev/null
    rc=$?
    secs=$((SECONDS - start))
    case $rc in
    0)
        echo "ok   $name (${secs}s)"
        passed=$((passed + 1))
        ;;
    77)
        echo "skip $name: $(tail -n1 "$log")"
        skipped=$((skipped + 1))
        ;;
    *)
        why="exit status $rc"
        [ "$rc" = 124 ] && why="timed out after ${limit}s"
        echo "FAIL $name ($why)"
        tail -n 40 "$log" | sed 's/^/    /'
        failed=$((failed + 1))
        ;;
    esac
    chmod -R u+rwX "$TEST_TMP" 2>/dev/null
    rm -rf "$TEST_TMP" "$log"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
