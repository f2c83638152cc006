#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Background jobs, wait, and their exit codes; $! and $$ are consistent.
. "$(dirname "$0")/lib/common.sh"
require

for sh in /bin/sh /bin/bash; do
	img_has "$IMG" "$sh" || continue
	kbo "$TMP/out" -S "$IMG" -- "$sh" -c '
(sleep 0.3; exit 3) & a=$!
(exit 5) & b=$!
sleep 0.1 & c=$!
wait $a; echo "a=$?"
wait $b; echo "b=$?"
wait $c; echo "c=$?"
for i in 1 2 3 4 5; do (sleep 0.$i; exit $i) & done
wait; echo "all=$?"
sh -c "echo \$PPID" >/tmp/ppid & wait $!
[ "$(cat /tmp/ppid)" = "$$" ] && echo ppid-ok
sh -c "kill -0 $$ && echo pid-visible"
(sleep 0.2; echo late) & wait
echo end
'
	st=$?
	sed 's/^/    | /' "$TMP/out"
	expect_status 0 "$st" "$sh jobs"
	expect_grep '^a=3$' "$TMP/out" "$sh: wait returns 3"
	expect_grep '^b=5$' "$TMP/out" "$sh: wait returns 5 for an exited job"
	expect_grep '^c=0$' "$TMP/out" "$sh: wait returns 0"
	expect_grep '^all=0$' "$TMP/out" "$sh: plain wait returns 0"
	expect_grep '^ppid-ok$' "$TMP/out" "$sh: child's \$PPID is the shell's \$\$"
	expect_grep '^pid-visible$' "$TMP/out" "$sh: kill -0 \$\$ from a child"
	expect_grep '^late$' "$TMP/out" "$sh: wait waits for output"
done
done_test
