#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# An image whose /dev is a symlink (to /etc) or whose /tmp is one (to
# var/tmp, relative): the mount profile mounted devtmpfs and a tmpfs at
# the links' targets (mount(2) follows a link), and the guest's /etc and
# /var/tmp looked empty. Such a place gets no mount now, with a warning;
# the image's directories keep their files and the links stay.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
kbo "$TMP/prep" -r "$img" -0 -- /bin/sh -c '
	rmdir /dev && ln -s /etc /dev &&
	mkdir -p /var/tmp && echo kept >/var/tmp/keep &&
	rm -rf /tmp && ln -s var/tmp /tmp && echo PREPARED'
expect_grep '^PREPARED' "$TMP/prep" "image prepared (/dev -> /etc, /tmp -> var/tmp)"

kbo "$TMP/out" -R "$img" -- /bin/sh -c '
	test -f /etc/passwd && echo ETC-SEEN
	cat /var/tmp/keep; cat /tmp/keep
	grep -E " /(etc|dev|var/tmp|tmp) " /proc/mounts | sed "s/^/MOUNT /"
	echo DONE'
st=$?
sed 's/^/    | /' "$TMP/out"
expect_status 0 "$st" "guest ran"
expect_grep '^ETC-SEEN' "$TMP/out" "/etc keeps its files (no devtmpfs over it)"
expect_grep '^kept' "$TMP/out" "/var/tmp keeps its files (no tmpfs over it)"
expect_no_grep '^MOUNT' "$TMP/out" "no mount at the links or their targets"
expect_grep 'warning: no devtmpfs on /dev: it is a symlink' "$TMP/out" "the user is told about /dev"
expect_grep 'warning: no tmpfs on /tmp: it is a symlink' "$TMP/out" "the user is told about /tmp"
check "the links are unchanged" sh -c "debugfs -R 'stat /dev' '$img' 2>/dev/null | grep -q 'Fast link dest: \"/etc\"'"
check "the image is clean" sh -c "e2fsck -fn '$img' >/dev/null 2>&1"
done_test
