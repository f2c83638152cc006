#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A file bind follows the guest's own mounts, as a file bind mount does
# natively: kbox routed -b F:/etc/resolv.conf by its text, so after guest
# root's `mount -t tmpfs tmpfs /etc` the host file still showed, and in
# a chroot /etc/resolv.conf was the host file, not the chroot's own.
# Now the file has a kbox-bind trap in lx (a file mounted over the
# image's file), which lx's walk meets or not; a file bind whose place
# the image lacks gets an empty stand-in there for the run, so a symlink
# in the image to it reaches the bind too (it found nothing there).
# shellcheck disable=SC2016 # expanded by the guest shell
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
h=$TMP/host
mkdir -p "$h"
echo "nameserver 192.0.2.1" >"$h/conf"
echo "new" >"$h/new"

kbo "$TMP/out" -S "$img" -b "$h/conf:/etc/resolv.conf" \
	-b "$h/new:/etc/kbox-new.conf" -- /bin/sh -c '
	echo before: $(cat /etc/resolv.conf) $(cat /etc/kbox-new.conf)
	echo listed: $(grep -c " /etc/kbox-new.conf kbox-bind " /proc/mounts)
	ln -s kbox-new.conf /etc/kbox-link && echo link: $(cat /etc/kbox-link)
	rm -f /etc/kbox-link
	mkdir -p /cr/etc /cr/bin && cp /bin/busybox /cr/bin/ &&
		echo own >/cr/etc/resolv.conf || echo setup failed
	echo chroot: $(chroot /cr /bin/busybox cat /etc/resolv.conf)
	busybox mount -t tmpfs tmpfs /etc || echo mount failed
	cat /etc/resolv.conf 2>/dev/null || echo covered: gone
	cat /etc/kbox-new.conf 2>/dev/null || echo new: gone
	echo mine >/etc/resolv.conf && echo tmpfs: $(cat /etc/resolv.conf)
	busybox umount /etc || echo umount failed
	echo after: $(cat /etc/resolv.conf) $(cat /etc/kbox-new.conf)'
expect_status 0 $? "file binds and the guest's mounts"
expect_grep '^before: nameserver 192.0.2.1 new$' "$TMP/out" "the file binds before"
expect_grep '^listed: 1$' "$TMP/out" "a file bind the image lacks is listed in /proc/mounts"
expect_grep '^link: new$' "$TMP/out" "a symlink in the image to a file bind reaches it"
expect_grep '^chroot: own$' "$TMP/out" "in a chroot the path is the chroot's own file"
expect_grep '^covered: gone$' "$TMP/out" "a tmpfs over /etc hides the file bind"
expect_grep '^new: gone$' "$TMP/out" "and the one the image lacked"
expect_grep '^tmpfs: mine$' "$TMP/out" "a file written there is the tmpfs's"
expect_grep '^after: nameserver 192.0.2.1 new$' "$TMP/out" "after the umount the binds are back"
check "the host file was not written" grep -qx "nameserver 192.0.2.1" "$h/conf"
kbo "$TMP/out2" -r "$img" -- /bin/sh -c '
	ls /etc/kbox-new.conf 2>/dev/null || echo stand-in removed'
expect_grep '^stand-in removed$' "$TMP/out2" "the stand-in is gone after the run"
done_test
