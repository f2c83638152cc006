#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# trap handlers in sh: TERM, INT, USR1, EXIT, and a trapped signal
# interrupting wait.
. "$(dirname "$0")/lib/common.sh"
require

for sh in /bin/sh /bin/bash; do
	img_has "$IMG" "$sh" || continue
	kbo "$TMP/out" -S "$IMG" -- "$sh" -c '
trap "echo got-usr1" USR1
kill -USR1 $$
trap "echo got-int" INT
kill -INT $$
sleep 30 & sp=$!
trap "echo got-term-in-wait; kill $sp" TERM
(sleep 0.3; kill -TERM $$) &
wait $sp
echo "after-wait"
trap - TERM
sh -c "trap \"echo child-trap; exit 9\" TERM; kill -TERM \$\$; sleep 5"
echo "child=$?"
trap "echo on-exit" EXIT
exit 4
'
	st=$?
	sed 's/^/    | /' "$TMP/out"
	expect_status 4 "$st" "$sh: exit status with an EXIT trap"
	expect_grep '^got-usr1$' "$TMP/out" "$sh: USR1 trap"
	expect_grep '^got-int$' "$TMP/out" "$sh: INT trap"
	expect_grep '^got-term-in-wait$' "$TMP/out" "$sh: TERM trap interrupts wait"
	expect_grep '^after-wait$' "$TMP/out" "$sh: continues after the trap"
	expect_grep '^child-trap$' "$TMP/out" "$sh: child shell trap"
	expect_grep '^child=9$' "$TMP/out" "$sh: child trap exit status"
	expect_grep '^on-exit$' "$TMP/out" "$sh: EXIT trap runs"
done
done_test
