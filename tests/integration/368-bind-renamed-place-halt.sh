#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What kbox made for a bind's place (glue_make's directories, file_make's
# empty stand-in for a file bind) goes at halt also after the guest
# renamed a directory above it, as a bind mount natively leaves nothing
# in the file system beneath: kbox looked for it by the path it had made
# it at, so the trap stayed mounted and /etc/sub2/d, /etc/sub2/new.conf
# (marked as kbox's) stayed in the image under the new name, and an
# empty directory the guest made at the old name was removed instead.
# The place itself cannot be renamed (EBUSY, a mount point).
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
lsimg() { debugfs -R "ls -l $1" "$img" 2>&1; }

# /etc/sub is kbox's (the image lacks it): renamed twice, the old name
# removed, then made again by the guest (empty: its own, which stays).
kbo "$TMP/out" -S "$img" -b "$b:/etc/sub/d" -b "$TMP/conf:/etc/sub/new.conf" -- /bin/sh -c '
	mv /etc/sub/d /etc/sub/e 2>/dev/null || echo place: busy
	mv /etc/sub/new.conf /etc/sub/x 2>/dev/null || echo file place: busy
	mv /etc/sub /etc/sub2 && mv /etc/sub2 /etc/sub3 || echo mv failed
	echo dir: $(cat /etc/sub3/d/f 2>&1)
	echo file: $(cat /etc/sub3/new.conf 2>&1)
	rmdir /etc/sub 2>&1 | grep -q "No such file" && echo old: gone
	rmdir /etc/sub3 2>/dev/null || echo new: kept
	mkdir /etc/sub && echo made'
expect_status 0 $? "renamed twice"
expect_grep '^place: busy$' "$TMP/out" "the directory bind's place is not renamed"
expect_grep '^file place: busy$' "$TMP/out" "nor the file bind's"
expect_no_grep 'mv failed' "$TMP/out" "its parent is renamed twice"
expect_grep '^dir: hostfile$' "$TMP/out" "the directory bind moved with it"
expect_grep '^file: hostconf$' "$TMP/out" "so did the file bind"
expect_grep '^old: gone$' "$TMP/out" "the old name is gone"
expect_grep '^new: kept$' "$TMP/out" "the new one holds the places"
expect_grep '^made$' "$TMP/out" "the guest makes the old name again"
lsimg /etc/sub3 >"$TMP/sub3"
expect_grep 'File not found' "$TMP/sub3" "nothing of kbox's stays under the new name"
lsimg /etc/sub >"$TMP/sub"
expect_grep ' \.\.$' "$TMP/sub" "the guest's own /etc/sub stays"
expect_no_grep ' (d|new\.conf)$' "$TMP/sub" "with nothing of the binds in it"
check "the image is clean" sh -c "e2fsck -fn '$img' >/dev/null 2>&1"

# /srv is the image's: renamed, it stays so; what kbox made in it goes.
kbo "$TMP/out2" -S "$img" -b "$b:/srv/d" -b "$TMP/conf:/srv/new.conf" -- /bin/sh -c '
	mv /srv /srv2 || echo mv failed
	echo dir: $(cat /srv2/d/f 2>&1) file: $(cat /srv2/new.conf 2>&1)'
expect_status 0 $? "the image's directory renamed"
expect_grep '^dir: hostfile file: hostconf$' "$TMP/out2" "both binds moved with it"
lsimg /srv2 >"$TMP/srv2"
expect_grep ' \.\.$' "$TMP/srv2" "/srv2 stays, the guest's rename"
expect_no_grep ' (d|new\.conf)$' "$TMP/srv2" "without the binds' places"
check "the image is clean again" sh -c "e2fsck -fn '$img' >/dev/null 2>&1"

# The next run with the same binds starts from a clean image.
kbo "$TMP/out3" -S "$img" -b "$b:/etc/sub/d" -- /bin/sh -c 'cat /etc/sub/d/f'
expect_status 0 $? "a later run"
expect_grep '^hostfile$' "$TMP/out3" "the bind is at its place again"
check "and leaves the image clean" sh -c "e2fsck -fn '$img' >/dev/null 2>&1"
done_test
