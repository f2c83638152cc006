#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A rename of a directory that holds a bind's place moves the bind with
# it, as Linux moves the mounts beneath a renamed directory: after
# `mv /etc/sub /etc/sub2` with binds at /etc/sub/d and (a file bind)
# /etc/sub/new.conf, /etc/sub2/d and /etc/sub2/new.conf are the binds
# and /etc/sub/d is gone. kbox still routed /etc/sub/d by its text to
# the bind, and lx's walk of /etc/sub2/d met the moved trap, whose EXDEV
# reached the guest ("Invalid cross-device link"): the tree was taken as
# kbox's own until a guest mount or chroot.
# shellcheck disable=SC2016 # expanded by the guest shell
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
b=$TMP/bind
mkdir -p "$b"
echo hostfile >"$b/f"
echo hostconf >"$TMP/conf"

kbo "$TMP/out" -S "$img" -b "$b:/etc/sub/d" -b "$TMP/conf:/etc/sub/new.conf" -- /bin/sh -c '
	mv /etc/sub /etc/sub2 || echo mv failed
	echo dir: $(cat /etc/sub2/d/f 2>&1)
	echo file: $(cat /etc/sub2/new.conf 2>&1)
	ls /etc/sub/d >/dev/null 2>&1 || echo old: gone
	cd /etc/sub2 && echo rel: $(cat d/f new.conf 2>&1)
	echo listed: $(grep -c "^[^ ]* /etc/sub2/[a-z.]* kbox-bind " /proc/mounts)'
expect_status 0 $? "a bind's parent renamed"
expect_no_grep 'mv failed' "$TMP/out" "the rename works"
expect_grep '^dir: hostfile$' "$TMP/out" "the directory bind is under the new name"
expect_grep '^file: hostconf$' "$TMP/out" "so is the file bind"
expect_grep '^old: gone$' "$TMP/out" "the old name no longer reaches the bind"
expect_grep '^rel: hostfile hostconf$' "$TMP/out" "relative names reach both"
expect_grep '^listed: 2$' "$TMP/out" "/proc/mounts lists both at the new name"
expect_no_grep 'cross-device' "$TMP/out" "no EXDEV reaches the guest"
done_test
