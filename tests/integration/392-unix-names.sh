#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/unix-names: the unix socket names a guest is given back
# (getsockname, getpeername, accept, recvfrom, recvmsg; path, relative,
# 107/108-byte, abstract, autobound and unnamed; lengths and short
# buffers; SCM_CREDENTIALS; /proc/net/unix; after fork and exec), in an
# image directory and in a bind, as natively (run natively too, as
# nobody in a scratch directory). Wrong before: getsockname of a socket
# whose binding 1024 newer ones displaced gave kbox's host name (its
# private directory and pid); accept's, recvfrom's and recvmsg's address
# of a peer bound at a path gave the host name too (or a bind's host
# path); bind() (and connect) through a bind's symlink that leads out of
# it (`-b D:/mnt`, /mnt/up -> "..", /mnt/up/tmp/x.sock) said EXDEV; a
# 107/108-byte relative name in a bind was ENAMETOOLONG.
. "$(dirname "$0")/lib/common.sh"
require
# natively, when the program is built: the checks are Linux's
if [ -x "$BUILD/guest/unix-names" ]; then
	native_runner "$BUILD/guest/unix-names"
	mkdir "$nat/w" && chmod 777 "$nat/w" && ln -s / "$nat/w/up"
	(cd "$nat/w" && "${as_user[@]}" "$fz" "$nat/w" "$nat/w/up") >"$TMP/native.out" 2>&1
	expect_status 0 $? "natively, as $uid"
	expect_no_grep '^FAIL' "$TMP/native.out" "natively: no FAIL line"
fi
img=$(own_img)
b=$TMP/b
mkdir -p "$b/sub"
ln -s .. "$b/up"
kbo "$TMP/lx.out" -S "$img" -b "$b:/mnt" -- /bin/sh -c \
	'mkdir -p /tmp/un && exec /opt/kbox-tests/unix-names /tmp/un /mnt/up'
st=$?
grep -v '^ok' "$TMP/lx.out" | sed 's/^/    | /' | tail -30
expect_status 0 "$st" "in an image directory"
expect_no_grep '^FAIL' "$TMP/lx.out" "in an image directory: no FAIL line"
expect_grep 'getsockname after 1100 newer bindings' "$TMP/lx.out" "the displaced binding was checked"
expect_grep '^ok - bind and listen at /mnt/up/tmp/' "$TMP/lx.out" "bind through the bind's link out of it"
kbo "$TMP/bind.out" -S "$img" -b "$b:/mnt" -- /bin/sh -c \
	'exec /opt/kbox-tests/unix-names /mnt/sub'
st=$?
grep -v '^ok' "$TMP/bind.out" | sed 's/^/    | /' | tail -30
expect_status 0 "$st" "in a bind"
expect_no_grep '^FAIL' "$TMP/bind.out" "in a bind: no FAIL line"
done_test
