#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Rapid fork: 1,000 fork/exit (subshells), 1,000 fork+exec of /bin/true,
# and 10 concurrent loops of 100; everything reaped, nothing left over.
. "$(dirname "$0")/../integration/lib/common.sh"
require

marker="kbox-stress-fork-$$"
KB_TIMEOUT=60
start=$(date +%s)
kbo "$TMP/out" -S "$IMG" -- /bin/sh -c '
n=0; i=0
while [ $i -lt 1000 ]; do (exit 0) && n=$((n+1)); i=$((i+1)); done
echo "subshells=$n"
n=0; i=0
while [ $i -lt 1000 ]; do /bin/true && n=$((n+1)); i=$((i+1)); done
echo "execs=$n"
for j in 1 2 3 4 5 6 7 8 9 10; do
	( k=0; while [ $k -lt 100 ]; do /bin/true || exit 1; k=$((k+1)); done; echo "loop$j" >>/tmp/loops ) &
done
wait
echo "loops=$(wc -l </tmp/loops)"
' "$marker"
st=$?
secs=$(($(date +%s) - start))
cat "$TMP/out"
expect_status 0 "$st" "rapid fork script (${secs}s)"
expect_grep '^subshells=1000$' "$TMP/out" "1000 fork/exit"
expect_grep '^execs=1000$' "$TMP/out" "1000 fork+exec"
expect_grep '^loops=10$' "$TMP/out" "10 concurrent loops of 100"
no_leftovers "$marker" "$IMG"
[ "$FAILS" -eq 0 ] && echo PASS || echo FAIL
done_test
