#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What kbox made for a bind's place goes at halt only where its path
# still reaches it: guest root's `mount --bind /keep /etc/sub` over the
# directory kbox made for -b F:/etc/sub/new.conf and -b D:/etc/sub/d,
# left mounted when the guest ended, made those paths name the guest's
# own /keep/new.conf and /keep/d, and halt removed them from the image
# (a bind mount natively leaves the file system beneath as it was).
# kbox's stand-ins under the cover stay (marked): the next run with the
# binds takes them for its own and removes them.
# shellcheck disable=SC2016 # expanded by the guest shell
. "$(dirname "$0")/lib/common.sh"
require
require_cmd debugfs e2fsck
img=$(own_img)
b=$TMP/bind
mkdir -p "$b"
echo hostfile >"$b/f"
echo hostconf >"$TMP/conf"
img_has "$img" /etc/sub && fail "the image has /etc/sub already"

kbo "$TMP/out" -S "$img" -b "$b:/etc/sub/d" -b "$TMP/conf:/etc/sub/new.conf" -- /bin/sh -c '
	mkdir -p /keep/d && echo precious >/keep/new.conf
	busybox mount --bind /keep /etc/sub && echo covered
	echo seen: $(cat /etc/sub/new.conf)'
expect_status 0 $? "the guest covers the binds' parent"
expect_grep '^covered$' "$TMP/out" "its bind mount is made"
expect_grep '^seen: precious$' "$TMP/out" "and its own file is seen there"
debugfs -R "ls -l /keep" "$img" >"$TMP/keep" 2>&1
expect_grep ' new\.conf$' "$TMP/keep" "the guest's /keep/new.conf stays in the image"
expect_grep ' d$' "$TMP/keep" "so does its directory /keep/d"
check "the image is clean" sh -c "e2fsck -fn '$img' >/dev/null 2>&1"
check "the guest's file is whole" sh -c "debugfs -R 'cat /keep/new.conf' '$img' 2>/dev/null | grep -qx precious"

# the next run with the binds removes what the cover kept
kbo "$TMP/out2" -S "$img" -b "$b:/etc/sub/d" -b "$TMP/conf:/etc/sub/new.conf" -- /bin/sh -c 'cat /etc/sub/d/f /etc/sub/new.conf'
expect_status 0 $? "a later run with the binds"
expect_grep '^hostconf$' "$TMP/out2" "the file bind is at its place"
img_has "$img" /etc/sub && fail "kbox's /etc/sub stayed after the later run"
check "and the image is clean after it" sh -c "e2fsck -fn '$img' >/dev/null 2>&1"
done_test
