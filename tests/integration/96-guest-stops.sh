#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# When the guest's command stops (Ctrl-Z in vim stops its own process
# group; kill -STOP $$ in a script) and kbox is its terminal's foreground
# job, kbox stops too, as the command would have for the shell that
# started kbox, which then gets its terminal back; continued, kbox
# continues the command. Only the guest stopped and the shell waited on
# a running kbox: the terminal seemed dead. Driven in a pty
# (lib/stopdrive.py); without a terminal a stopped command waits, as in a
# script, for whoever continues it.
. "$(dirname "$0")/lib/common.sh"
require
require_cmd python3
timeout -k 5 60 python3 "$(dirname "$0")/lib/stopdrive.py" "$KBOX" -S "$IMG" \
	-- /bin/sh -c 'echo before; kill -STOP $$; echo resumed' >"$TMP/out" 2>&1
expect_status 0 $? "kbox stopped with its command and ran on"
expect_grep '^stopped$' "$TMP/out" "kbox stopped with its command"
expect_grep '^resumed$' "$TMP/out" "continued, the command ran on"
expect_grep '^exit 0$' "$TMP/out" "and exited 0"
# The same with SIGCHLD ignored and blocked by kbox's parent: kbox sees
# the stop on a SIGCHLD it blocks in every thread and reads from a
# signalfd, whatever it inherited (the guest keeps what it inherited).
if command -v perl >/dev/null 2>&1; then
	timeout -k 5 60 python3 "$(dirname "$0")/lib/stopdrive.py" /usr/bin/env perl -e \
		'use POSIX; $SIG{CHLD} = q(IGNORE); sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGCHLD)); exec(@ARGV) or die' \
		"$KBOX" -S "$IMG" -- /bin/sh -c 'echo before; kill -STOP $$; echo resumed' \
		>"$TMP/ign.out" 2>&1
	expect_status 0 $? "SIGCHLD ignored and blocked: kbox stopped and ran on"
	expect_grep '^stopped$' "$TMP/ign.out" "SIGCHLD ignored and blocked: kbox stopped"
	expect_grep '^resumed$' "$TMP/ign.out" "SIGCHLD ignored and blocked: continued"
fi
# no terminal: the command is continued by its own child, kbox runs on
kbo "$TMP/noterm.out" -S "$IMG" -- /bin/sh -c \
	'(sleep 0.5; kill -CONT $$) & kill -STOP $$; echo continued-by-child' </dev/null
expect_status 0 $? "without a terminal"
expect_grep '^continued-by-child$' "$TMP/noterm.out" "a guest child continues it"
done_test
