#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/undump-proc: prctl(PR_SET_DUMPABLE, 0) reaches lx's task, so
# /proc shows it as Linux does: the process's files and links (not its
# directory) are root's, another process of its user may not open its
# environ or read its exe link (a stat still works), PR_GET_DUMPABLE says
# 0; PR_SET_DUMPABLE 1 undoes it. The setting was the host's only: the
# files stayed the user's and readable. As root and as a user, under a
# rootless kbox (whose host process stays dumpable) and natively.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" undump-proc
run_guest_test "--change-id 1000:1000 -R" undump-proc
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	d=$(mktemp -d /tmp/kbox-undump-proc.XXXXXX)
	cp --sparse=always "$(own_img)" "$d/img"
	chmod 755 "$d"
	chmod 666 "$d/img"
	chown 65534:65534 "$d"
	kbox_abs=$(cd "$(dirname "$KBOX")" && pwd)/$(basename "$KBOX")
	timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups -- \
		env HOME="$d" "$kbox_abs" -R "$d/img" -- \
		/opt/kbox-tests/undump-proc >"$TMP/rootless.out" 2>&1
	expect_status 0 $? "under a rootless kbox"
	grep -v '^ok' "$TMP/rootless.out" | sed 's/^/    | /'
	if [ -x "$BUILD/guest/undump-proc" ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$BUILD/guest/undump-proc" >"$TMP/native.out" 2>&1
		expect_status 0 $? "natively (uid 65534) the same checks pass"
	fi
	rm -rf "$d"
fi
done_test
