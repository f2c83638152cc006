#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# -m ro: reads work, every write fails with EROFS, the image is unchanged.
. "$(dirname "$0")/lib/common.sh"
require

sum0=$(md5sum <"$IMG")
kbo "$TMP/out" -0 -m ro -r "$IMG" -- /bin/cat /etc/hostname
expect_status 0 $? "read with -m ro"
expect_grep '^kbox$' "$TMP/out" "content readable"
for cmd in 'touch /newfile' 'mkdir /newdir' 'rm /etc/hostname' 'echo x >>/etc/hostname' \
	'chmod 600 /etc/hostname' 'ln -s a /lnk' 'mv /etc/hostname /etc/h2'; do
	kbo "$TMP/out" -0 -m ro -r "$IMG" -- /bin/sh -c "$cmd"
	st=$?
	[ "$st" -ne 0 ] && pass "'$cmd' fails (status $st)" || fail "'$cmd' succeeded on a ro mount"
	expect_grep 'Read-only file system' "$TMP/out" "'$cmd' reports EROFS"
done
# errno itself, from python if present
if img_has "$IMG" /usr/bin/python3; then
	kbo "$TMP/out" -0 -m ro -r "$IMG" -- /usr/bin/python3 -c '
import errno, os
try:
    os.open("/x", os.O_CREAT | os.O_WRONLY)
except OSError as e:
    print("errno", errno.errorcode[e.errno])'
	expect_grep '^errno EROFS$' "$TMP/out" "open(O_CREAT) errno is EROFS"
fi
[ "$(md5sum <"$IMG")" = "$sum0" ] && pass "image bytes unchanged by -m ro runs" || fail "image modified by -m ro runs"
done_test
