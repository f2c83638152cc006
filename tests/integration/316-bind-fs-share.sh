#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/bind-fs-share: processes made by clone(CLONE_FS) or
# clone3(CLONE_FS) share their cwd and umask, as Linux's fs_struct, also
# when the cwd is in a bind, until one calls unshare(CLONE_FS); fork,
# vfork and posix_spawn children keep their own, as does a thread
# cloned without CLONE_FS or after its unshare(CLONE_FS) (its exec makes
# it the process's). kbox kept a bind cwd per process: a sharer's chdir
# into a bind left the other where it was, its chdir into the image
# left the other's bind cwd, and such a thread's chdir moved all
# threads. Also as a guest user.
. "$(dirname "$0")/lib/common.sh"
require
fs=$BUILD/guest/bind-fs-share
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && [ -x "$fs" ]; then
	# natively first (as nobody), as a reference
	d=$(mktemp -d /tmp/kbox-fs-share.XXXXXX) && chmod 777 "$d"
	mkdir "$d/b" "$d/i" && chmod 777 "$d/b" "$d/i"
	(cd "$d" && timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$fs" "$d/b" "$d/i") >"$TMP/native.out" 2>&1
	expect_status 0 $? "natively (uid 65534)"
	grep FAIL "$TMP/native.out" | head -5 | sed 's/^/    | /'
	rm -rf "$d"
fi
mkdir -p "$TMP/b" && chmod 777 "$TMP/b"
run_guest_test "-b $TMP/b:/mnt/b -S" bind-fs-share /mnt/b /var/tmp
rm -rf "${TMP:?}/b"/*
run_guest_test "-b $TMP/b:/mnt/b --change-id 1000:1000 -R" bind-fs-share /mnt/b /tmp
done_test
