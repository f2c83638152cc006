#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/zombie-proc: an exited child its parent has not reaped is
# in /proc as on Linux (the directory, the listing, stat state Z, status
# "State: Z (zombie)", empty cmdline, exe ENOENT, kill(pid, 0) 0) until
# the reap, then gone; also a child killed by SIGKILL and a killed tree's
# orphaned zombie. Its lx task ended at exit_group and lx reaped it at
# once: /proc/<pid> was ENOENT. As root and as a user; natively (uid
# 65534) as a reference. With ps in the image, ps shows <defunct>.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" zombie-proc
run_guest_test "--change-id 1000:1000 -R" zombie-proc
if img_has "$IMG" /bin/ps; then
	# true's parent execs sleep, which never reaps it
	kbo "$TMP/ps.out" -S "$IMG" -- /bin/sh -c '(/bin/true & exec sleep 2) & sleep 1; ps -e -o stat=,args='
	expect_grep '^Z.*<defunct>' "$TMP/ps.out" "ps shows the unreaped child as <defunct>"
fi
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && [ -x "$BUILD/guest/zombie-proc" ]; then
	d=$(mktemp -d /tmp/kbox-zombie-proc.XXXXXX) && chmod 777 "$d"
	(cd "$d" && setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$BUILD/guest/zombie-proc") >"$TMP/native.out" 2>&1
	expect_status 0 $? "natively (uid 65534) the same checks pass"
	rm -rf "$d"
fi
done_test
