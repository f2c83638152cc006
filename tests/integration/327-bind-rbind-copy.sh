#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A copy of a bind made by the guest's own mounts reaches the bind, as
# natively. `mount --rbind /mnt /x` copies the bind's kbox-bind trap to
# /x/b; kbox routed /x/b by its text (the image's), lx's walk met the
# trap and every path there was EXDEV. Now lx says which bind the trap
# it reached marks (its mount data's id, kernel/arch/lx/fs/bindtrap.c)
# and the rest of the path goes to that bind's host source. The copy
# stays the bind's when /mnt is covered afterwards, and an rbind of a
# directory holding another bind's trap over a bind's parent gives that
# other bind at the first one's place.
# shellcheck disable=SC2016 # expanded by the guest shell
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
b=$TMP/bind c=$TMP/other
mkdir -p "$b" "$c"
echo hostfile >"$b/f"
echo other >"$c/f"
printf '#!/bin/sh\necho ran-x\n' >"$b/x"
chmod 755 "$b/x"

kbo "$TMP/out" -S "$img" -b "$b:/mnt/b" -b "$c:/c/b" -- /bin/sh -c '
	mkdir -p /x && busybox mount --rbind /mnt /x || echo rbind failed
	echo list: $(ls /x/b)
	echo cat: $(cat /x/b/f) $(/x/b/x)
	echo new >/x/b/new && echo wrote
	cd /x && echo rel: $(cat b/f) && cd b && echo cwd: $(cat f)
	cd /
	busybox mount -t tmpfs tmpfs /mnt || echo mount failed
	echo still: $(cat /x/b/f)
	busybox umount /mnt || echo umount failed
	busybox mount --rbind /c /mnt || echo rbind2 failed
	echo other: $(cat /mnt/b/f) $(ls /mnt/b)
	busybox umount -l /mnt; busybox umount -l /x'
expect_status 0 $? "an rbind copy of a bind"
expect_grep '^list: f x$' "$TMP/out" "the copy lists the bind"
expect_grep '^cat: hostfile ran-x$' "$TMP/out" "reads and runs its files"
expect_grep '^wrote$' "$TMP/out" "writes into it"
expect_grep '^rel: hostfile$' "$TMP/out" "relative to a directory above the copy"
expect_grep '^cwd: hostfile$' "$TMP/out" "from a cwd in the copy"
expect_grep '^still: hostfile$' "$TMP/out" "the copy stays the bind's when its first place is covered"
expect_grep '^other: other f$' "$TMP/out" "another bind's trap copied over a bind's place is that bind"
check "the write went to the bind's source" grep -qx new "$b/new"
done_test
