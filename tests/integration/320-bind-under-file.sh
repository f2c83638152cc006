#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A bind whose guest path goes through a file of the image (-b
# DIR:/etc/passwd/x) is one line and status 1, as mount(2) there is
# ENOTDIR; it was taken, and the guest saw a directory below /etc/passwd.
# A new directory's place and a bind below another bind still work, and
# the image stays clean.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
mkdir -p "$TMP/src/sub"
echo hi >"$TMP/src/f"
for dst in /etc/passwd/x /etc/passwd/x/y /etc/hostname/x; do
	kbo "$TMP/out" -S "$img" -b "$TMP/src:$dst" -- /bin/true
	expect_status 1 $? "-b SRC:$dst"
	expect_grep "^kbox: bind '.*:$dst': a part of the guest path is a file in the image$" "$TMP/out" "$dst: says why"
	check "$dst: one line" test "$(wc -l <"$TMP/out")" -eq 1
done
kbo "$TMP/out" -S "$img" -b "$TMP/src/f:/etc/passwd/f" -- /bin/true
expect_status 1 $? "a file bind below a file"
kbo "$TMP/out" -S "$img" -b "$TMP/src:/kbox-new903/x" -- /bin/cat /kbox-new903/x/f
expect_status 0 $? "a new place still binds"
expect_grep '^hi$' "$TMP/out" "and is read"
kbo "$TMP/out" -S "$img" -b "$TMP/src:/mnt" -b "$TMP/src/f:/mnt/sub/f" -- /bin/cat /mnt/sub/f
expect_status 0 $? "a bind below a bind is the upper bind's business"
e2fsck -fn "$img" >/dev/null 2>&1
check "image clean (e2fsck -fn)" test $? -eq 0
done_test
