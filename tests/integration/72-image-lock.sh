#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# One kbox at a time mounts an image read-write: two runs on one image
# each cached and wrote their own bitmaps, and e2fsck then found wrong
# free counts and checksum mismatches. A second run is refused with one
# clear line and leaves the image alone; read-only runs share it.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)

"$KBOX" -S "$img" -- /bin/sh -c 'sleep 2; echo first >/root/first' </dev/null >"$TMP/first.out" 2>&1 &
first=$!
sleep 0.7 # it locks the image within milliseconds, and sleeps 2 s
kbo "$TMP/second.out" -S "$img" -- /bin/sh -c 'echo second >/root/second'
expect_status 1 $? "a second writer is refused"
expect_grep "^kbox: image '.*' is in use by a read-write kbox" "$TMP/second.out" "with one clear line"
kbo "$TMP/ro.out" -m ro -r "$img" -- /bin/true
expect_status 1 $? "a read-only run while a writer runs is refused too"
wait "$first"
expect_status 0 $? "the first run"
e2fsck -fn "$img" >"$TMP/fsck.out" 2>&1
expect_status 0 $? "the image is clean (e2fsck -fn)"
[ "$(img_cat "$img" /root/first)" = first ] && pass "the first run's file is there" ||
	fail "the first run's file is missing" "$TMP/first.out"
[ -z "$(img_cat "$img" /root/second)" ] && pass "the refused run wrote nothing" ||
	fail "the refused run wrote to the image"

"$KBOX" -m ro -r "$img" -- /bin/sleep 2 </dev/null >/dev/null 2>&1 &
reader=$!
sleep 0.5
kbo "$TMP/ro2.out" -m ro -r "$img" -- /bin/cat /root/first
expect_status 0 $? "two read-only runs share the image"
expect_grep '^first$' "$TMP/ro2.out" "and read it"
wait "$reader"
done_test
