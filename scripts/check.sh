#!/bin/bash
# SPDX-License-Identifier: MIT
#
# check.sh - run every test suite (make check-*) in order, each printing its
# own "N passed, N failed"; print the overall sum as the last line and exit
# non-zero if anything failed. A suite that fails without such a line counts
# as one failure. The build (make all) runs first as a suite of its own: if
# it fails that is one failure, and the test suites still run. check-kernel
# is skipped until kernel/Makefile exists.
#
# usage: check.sh [SUITE...]   (default: all, then all test suites)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

suites=("$@")
if [ ${#suites[@]} -eq 0 ]; then
    suites=(all check-format check-unit)
    [ -f kernel/Makefile ] && suites+=(check-kernel)
    suites+=(check-integration check-stress)
fi

MAKE=${MAKE:-make}
passed=0 failed=0 summary=()
for s in "${suites[@]}"; do
    echo "=== $s"
    log=$(mktemp)
    $MAKE --no-print-directory "$s" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1)
    rm -f "$log"
    if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
        p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]}
        if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
            f=1
            echo "$s: exited with status $rc"
        fi
    else
        p=0 f=$((rc != 0))
        [ "$rc" -ne 0 ] && echo "$s: exited with status $rc and no summary"
    fi
    summary+=("$(printf '%-18s %s passed, %s failed' "$s" "$p" "$f")")
    passed=$((passed + p)) failed=$((failed + f))
done
echo "=== summary"
printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
