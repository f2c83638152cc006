#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# In a chrooted guest a bind's path names the chroot's own directory, as
# natively: kbox routed /mnt/b by its text from the image's root, so
# `chroot /cr ls /mnt/b` listed the bind (the host's files) instead of
# /cr/mnt/b. After a chroot, a bind path goes to the host only when the
# caller's walk of the bind's place reaches its kbox-bind trap
# (src/dispatch/bindwalk.c). A process outside the chroot still sees
# the bind.
# shellcheck disable=SC2016 # expanded by the guest shell
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
b=$TMP/bind
mkdir -p "$b"
echo hostfile >"$b/f"

kbo "$TMP/out" -S "$img" -b "$b:/mnt/b" -- /bin/sh -c '
	mkdir -p /cr/mnt/b /cr/bin && cp /bin/busybox /cr/bin/ &&
		echo mine >/cr/mnt/b/g || echo setup failed
	echo in: $(chroot /cr /bin/busybox ls /mnt/b)
	echo cat: $(chroot /cr /bin/busybox cat /mnt/b/g)
	chroot /cr /bin/busybox cat /mnt/b/f 2>/dev/null || echo hostfile: gone
	echo out: $(ls /mnt/b)'
expect_status 0 $? "a bind path in a chroot"
expect_grep '^in: g$' "$TMP/out" "the chroot's /mnt/b is its own directory"
expect_grep '^cat: mine$' "$TMP/out" "its file is read"
expect_grep '^hostfile: gone$' "$TMP/out" "the bind's file is not reached"
expect_grep '^out: f$' "$TMP/out" "outside the chroot the bind stays"
done_test
