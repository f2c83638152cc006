#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# When the guest's command stops (Ctrl-Z in vim stops its own process
# group; kill -STOP $$ in a script), kbox stops too, as the command would
# have for the shell that started kbox, which then gets its terminal
# back; continued, kbox continues the command. Only the guest stopped and
# the host shell waited on a running kbox: the terminal seemed dead.
. "$(dirname "$0")/lib/common.sh"
require
"$KBOX" -S "$IMG" -- /bin/sh -c 'echo before; kill -STOP $$; echo resumed' \
	>"$TMP/out" 2>&1 &
kp=$!
st=
for _ in $(seq 50); do
	st=$(awk '{print $3}' "/proc/$kp/stat" 2>/dev/null)
	[ "$st" = T ] && break
	sleep 0.1
done
[ "$st" = T ] && pass "kbox stopped with its command" ||
	fail "kbox did not stop with its command (state '$st')"
kill -CONT "$kp"
for _ in $(seq 100); do
	kill -0 "$kp" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$kp" 2>/dev/null; then
	fail "kbox still runs 10 s after SIGCONT"
	kill -9 "$kp"
	pkill -CONT -f -- 'kill -STOP \$\$; echo resumed' 2>/dev/null
fi
wait "$kp"
expect_status 0 $? "continued, the command finishes"
expect_grep '^resumed$' "$TMP/out" "the command ran on after SIGCONT to kbox"
done_test
