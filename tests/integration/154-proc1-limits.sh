#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# /proc/1/limits reads the limits the guest started with. The guest has no
# pid 1 (kbox is not an init), but pam_limits reads that file for the
# system's defaults: without it every `su -`, runuser -l, sshd or cron
# session in the guest got PAM's own (1024 open files, 64 KiB locked)
# and a later `ulimit -n 4096` failed. The rest of /proc/1 stays absent.
. "$(dirname "$0")/lib/common.sh"
require
ulimit -Sn 1000 2>/dev/null
soft=$(ulimit -Sn)
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] && hard=unlimited
kbo "$TMP/out" -S "$IMG" -- /bin/sh -c '
	grep "^Max open files" /proc/1/limits
	ls -d /proc/1 >/dev/null 2>&1 && echo "proc1 listed" || echo "proc1 absent"'
expect_grep "^Max open files +$soft +$hard +files" "$TMP/out" \
	"/proc/1/limits: the open-files limits kbox was started with ($soft/$hard)"
expect_grep "^proc1 absent\$" "$TMP/out" "/proc/1 itself stays absent"
done_test
