#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Gated execs (vfork+exec, dash's simple commands) of the same programs
# from three shells side by side, some while a long sleep still runs its
# program: every exec runs the right program under the right name (comm,
# the name /proc/self/maps gives the program), also for a hard link of
# head. Written for kept, reused program copies (src/exec/gate.c), which
# failed it under load (the link's exec ENOENT now and then) and were
# taken back; it guards any later attempt.
. "$(dirname "$0")/lib/common.sh"
require

kbo "$TMP/out" -S "$IMG" -- /bin/sh -c '
t=/var/tmp/reuse.$$; mkdir -p $t || exit 1
ln /usr/bin/head $t/hd || exit 1
run() {
	for i in 1 2 3 4 5 6 7 8; do
		/bin/sleep 0.02 || echo "FAIL $1: sleep $?"
		/bin/cat /proc/self/comm >$t/c$1
		read c <$t/c$1; [ "$c" = cat ] || echo "FAIL $1: comm $c"
		/usr/bin/head -1 /proc/self/maps >$t/m$1
		grep -q " /usr/bin/head\$" $t/m$1 || echo "FAIL $1: maps $(cat $t/m$1)"
		$t/hd -1 /proc/self/maps >$t/l$1
		grep -q " $t/hd\$" $t/l$1 || echo "FAIL $1: link maps $(cat $t/l$1)"
		/bin/true || echo "FAIL $1: true"
		/bin/false && echo "FAIL $1: false"
	done
	echo "done $1"
}
(/bin/sleep 0.5; :) &
run a & run b & run c
wait
rm -rf $t
'
expect_status 0 $? "three shells vfork+exec the same programs side by side"
expect_grep '^done a$' "$TMP/out" "shell a finished"
expect_grep '^done b$' "$TMP/out" "shell b finished"
expect_grep '^done c$' "$TMP/out" "shell c finished"
expect_no_grep 'FAIL' "$TMP/out" "every exec ran the right program under its name"
done_test
