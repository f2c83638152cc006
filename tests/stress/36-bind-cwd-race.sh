#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/bind-cwd-race: one thread moves the cwd between two
# directories of a bind (chdir, fchdir) while threads, forked children
# and a clone(CLONE_FS) sharer make relative calls, and one thread sets
# the umask while another creates files in the bind. kbox read the
# cwd's text while a chdir rewrote it (a fork copied it so): calls and
# children started from a mix of the two or from a prefix ("/", "/mnt"),
# and the umask was read by setting it to 0 and back, so umask() saw 0.
# Natively first (as nobody), as a reference.
. "$(dirname "$0")/../integration/lib/common.sh"
require
rc=$BUILD/guest/bind-cwd-race
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && [ -x "$rc" ]; then
	d=$(mktemp -d /tmp/kbox-cwd-race.XXXXXX) && chmod 777 "$d"
	mkdir "$d/b" && chmod 777 "$d/b"
	(cd "$d" && timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$rc" "$d/b" 10000) >"$TMP/native.out" 2>&1
	expect_status 0 $? "natively (uid 65534)"
	rm -rf "$d"
fi
mkdir -p "$TMP/b" && chmod 777 "$TMP/b"
img=$(own_img)
for i in 1 2; do
	rm -rf "${TMP:?}/b"/*
	KB_TIMEOUT=60 kbo "$TMP/r$i.out" -b "$TMP/b:/mnt/b" -S "$img" -- \
		/opt/kbox-tests/bind-cwd-race /mnt/b 10000
	expect_status 0 $? "bind-cwd-race as guest root, run $i"
	grep FAIL "$TMP/r$i.out" | head -5 | sed 's/^/    | /'
done
done_test
