#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A guest that exits with image fds in flight in SCM_RIGHTS
# (tests/guest/rights-at-exit): kbox's token reaper released their lx
# files in the holder task while kbox's teardown freed it, and kbox died
# of SIGSEGV after the guest ended, ~1 run in 6. Twelve runs.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
bad=0
for i in $(seq 1 12); do
	kbo "$TMP/r$i.out" -R "$img" -- /opt/kbox-tests/rights-at-exit 100
	st=$?
	if [ "$st" -ne 0 ]; then
		bad=$((bad + 1))
		echo "  run $i: status $st"
		sed 's/^/    | /' "$TMP/r$i.out" | tail -5
	fi
done
expect_status 0 "$bad" "12 runs with fds in flight at exit, runs that failed"
done_test
