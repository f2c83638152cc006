#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# kill -TERM $! stops a background job at once; status 143.
. "$(dirname "$0")/lib/common.sh"
require

start=$(date +%s)
kbo "$TMP/out" -S "$IMG" -- /bin/sh -c '
sleep 30 & p=$!
kill -TERM $p; wait $p; echo "term=$?"
sleep 30 & p=$!
kill -KILL $p; wait $p; echo "kill=$?"
sleep 30 & p=$!
kill -STOP $p; kill -CONT $p; kill $p; wait $p; echo "stopcont=$?"
kill -0 $p 2>/dev/null || echo gone
kill -TERM 999999 2>/dev/null || echo esrch
'
st=$?
secs=$(($(date +%s) - start))
sed 's/^/    | /' "$TMP/out"
expect_status 0 "$st" "kill script"
expect_grep '^term=143$' "$TMP/out" "SIGTERM'd job: 143"
expect_grep '^kill=137$' "$TMP/out" "SIGKILL'd job: 137"
expect_grep '^stopcont=143$' "$TMP/out" "STOP/CONT then TERM: 143"
expect_grep '^gone$' "$TMP/out" "killed job is gone"
expect_grep '^esrch$' "$TMP/out" "kill of a missing pid fails"
[ "$secs" -lt 20 ] && pass "no sleep 30 waited out (${secs}s)" || fail "took ${secs}s: kill did not interrupt sleep"
done_test
