#!/bin/bash
# SPDX-License-Identifier: MIT
#
# run-unit.sh BIN... - run unit-test binaries (ktest), sum their
# "N passed, N failed" lines and print the total as the last line.
# A binary that exits non-zero without a summary (a crash, a sanitizer
# report, a hang past KBOX_UNIT_TIMEOUT seconds) counts as one failure.
set -uo pipefail

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

passed=0 failed=0
for bin in "$@"; do
    echo "== $bin"
    out=$(mktemp)
    # bounded: a hung binary is one failure, not a CI run that never ends
    timeout -k 10 "${KBOX_UNIT_TIMEOUT:-300}" "$bin" 2>&1 | tee "$out"
    rc=${PIPESTATUS[0]}
    last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n1)
    rm -f "$out"
    if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
        p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]}
        # a clean summary but a non-zero exit (e.g. leaks found at exit)
        [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1 &&
            echo "FAIL $bin exited with status $rc"
    else
        p=0 f=1
        echo "FAIL $bin: exited with status $rc and no summary"
    fi
    passed=$((passed + p)) failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
