#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A run that changes nothing on the image commits no journal transaction.
# ext4 records "last mounted on" at the first file open of every mount as
# a transaction of its own; under kbox it is "/" each time, so each run
# committed and checkpointed an unchanged superblock (journal sequence
# +2, five of a /bin/true run's seven fdatasyncs). lx now leaves the
# superblock alone when it already reads "/": the sequence stays. A
# different "last mounted on" is still rewritten, and a guest write is
# still committed, on the image and e2fsck-clean.
. "$(dirname "$0")/lib/common.sh"
require
require_cmd dumpe2fs tune2fs e2fsck debugfs

img=$(own_img)
jseq() { dumpe2fs -h "$1" 2>/dev/null | sed -n 's/^Journal sequence: *//p'; }
lastmnt() { dumpe2fs -h "$1" 2>/dev/null | sed -n 's/^Last mounted on: *//p'; }

# the first run may update the command's access times (relatime)
kbo "$TMP/out" -r "$img" -- /bin/sh -c 'cat /etc/passwd >/dev/null'
expect_status 0 $? "first run"
s1=$(jseq "$img")
kbo "$TMP/out" -r "$img" -- /bin/sh -c 'cat /etc/passwd >/dev/null'
expect_status 0 $? "second run, the same reads"
s2=$(jseq "$img")
[ -n "$s1" ] && [ "$s1" = "$s2" ] && pass "no journal commit for a run that writes nothing ($s1)" ||
	fail "journal sequence $s1 -> $s2 for a run that writes nothing"
[ "$(lastmnt "$img")" = / ] && pass "last mounted on is /" || fail "last mounted on '$(lastmnt "$img")'"

# an image last mounted elsewhere gets "/" written, as before
tune2fs -M /elsewhere "$img" >/dev/null 2>&1 || fail "tune2fs -M"
kbo "$TMP/out" -r "$img" -- /bin/true
expect_status 0 $? "run on an image last mounted elsewhere"
[ "$(lastmnt "$img")" = / ] && pass "last mounted on rewritten to /" ||
	fail "last mounted on '$(lastmnt "$img")', want /"
e2fsck -fn "$img" >"$TMP/fsck" 2>&1 && pass "e2fsck -fn clean" || { fail "e2fsck -fn not clean"; tail -5 "$TMP/fsck"; }

# a write is committed and on the image
s3=$(jseq "$img")
kbo "$TMP/out" -r "$img" -- /bin/sh -c 'echo kept >/root/h93-lastmnt'
expect_status 0 $? "a run that writes"
[ "$(img_cat "$img" /root/h93-lastmnt)" = kept ] && pass "the write is on the image" || fail "the write is missing"
[ "$(jseq "$img")" != "$s3" ] && pass "the write was committed" || fail "journal sequence did not move for a write"
e2fsck -fn "$img" >"$TMP/fsck" 2>&1 && pass "e2fsck -fn clean after the write" || { fail "e2fsck -fn not clean"; tail -5 "$TMP/fsck"; }

# read-only: nothing written at all
kbo "$TMP/out" -r "$img" -m ro -- /bin/true
expect_status 0 $? "read-only run"
done_test
