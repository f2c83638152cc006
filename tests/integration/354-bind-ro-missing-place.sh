#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A bind whose place a read-only image (-m ro) lacks follows the guest's
# own mounts: kbox cannot make the place (no trap), and routed the path
# by its text, so after guest root's `mount -t tmpfs tmpfs /mnt` the bind
# at /mnt/new/b still showed, and in a chroot /mnt/new/b was the bind.
# Now such a bind is reached only where the caller's walk of the deepest
# directory the image has (/mnt) meets what kbox's did. A bind under
# lx's /tmp gets a trap even with -m ro (the tmpfs takes the place).
# shellcheck disable=SC2016 # expanded by the guest shell
. "$(dirname "$0")/lib/common.sh"
require
b=$TMP/bind
mkdir -p "$b"
echo hostfile >"$b/f"
kbo "$TMP/out" -S "$IMG" -m ro -b "$b:/mnt/new/b" -b "$b:/tmp/t/b" -- /bin/sh -c '
	echo before: $(ls /mnt/new/b) $(ls /tmp/t/b)
	mkdir -p /tmp/cr/bin /tmp/cr/mnt && cp /bin/busybox /tmp/cr/bin/ ||
		echo setup failed
	chroot /tmp/cr /bin/busybox ls /mnt/new/b 2>/dev/null || echo chroot: gone
	busybox mount -t tmpfs tmpfs /mnt || echo mount failed
	ls /mnt/new/b 2>/dev/null || echo covered: gone
	busybox umount /mnt || echo umount failed
	echo after: $(cat /mnt/new/b/f)
	busybox mount -t tmpfs tmpfs /tmp/t || echo mount failed
	ls /tmp/t/b 2>/dev/null || echo tmp: gone
	busybox umount /tmp/t'
expect_status 0 $? "binds without a place in a read-only image"
expect_grep '^before: f f$' "$TMP/out" "the binds before"
expect_grep '^chroot: gone$' "$TMP/out" "in a chroot the path is the chroot's"
expect_grep '^covered: gone$' "$TMP/out" "a tmpfs over the deepest existing directory hides it"
expect_grep '^after: hostfile$' "$TMP/out" "after the umount it is back"
expect_grep '^tmp: gone$' "$TMP/out" "a bind in lx's /tmp has a trap"
done_test
