#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A bind covered by the guest's own mount is gone until the umount, as
# natively. kbox routed /mnt/b by its text, so after guest root's
# `mount -t tmpfs tmpfs /mnt` /mnt/b still listed, read, wrote and ran
# the host's files. Now, once the guest has mounted, a bind path goes to
# the host only if lx's walk of the bind's place reaches its kbox-bind
# trap (src/dispatch/bindwalk.c); here it meets the tmpfs, which lx
# serves. A cwd held in the bind from before stays in it (natively the
# old mount stays reachable from there), and after the umount the bind
# is back.
# shellcheck disable=SC2016 # expanded by the guest shell
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
b=$TMP/bind
mkdir -p "$b"
echo hostfile >"$b/f"
printf '#!/bin/sh\necho ran-x\n' >"$b/x"
chmod 755 "$b/x"

kbo "$TMP/out" -S "$img" -b "$b:/mnt/b" -- /bin/sh -c '
	echo before: $(ls /mnt/b)
	cd /mnt/b || exit 9
	busybox mount -t tmpfs tmpfs /mnt || echo mount failed
	echo held: $(cat f)
	ls /mnt/b >/dev/null 2>&1 && echo ls: listed || echo ls: gone
	cat /mnt/b/f 2>/dev/null || echo cat: gone
	/mnt/b/x 2>/dev/null || echo exec: gone
	cd /mnt && ls b >/dev/null 2>&1 && echo rel: listed || echo rel: gone
	mkdir /mnt/b && echo tmp >/mnt/b/g && echo mine: $(ls /mnt/b)
	cd / && busybox umount /mnt || echo umount failed
	echo after: $(ls /mnt/b) $(cat /mnt/b/f) $(/mnt/b/x)'
expect_status 0 $? "a tmpfs over a bind's parent"
expect_grep '^before: f x$' "$TMP/out" "the bind before the guest's mount"
expect_grep '^held: hostfile$' "$TMP/out" "a cwd held in the bind stays in it"
expect_grep '^ls: gone$' "$TMP/out" "a covered bind is not listed"
expect_grep '^cat: gone$' "$TMP/out" "its files are not read"
expect_grep '^exec: gone$' "$TMP/out" "nor run"
expect_grep '^rel: gone$' "$TMP/out" "nor reached relative to the covering mount"
expect_grep '^mine: g$' "$TMP/out" "a directory made there is the tmpfs's"
expect_grep '^after: f x hostfile ran-x$' "$TMP/out" "after the umount the bind is back"
check "nothing written into the covered bind's host source" test ! -e "$b/g"
done_test
