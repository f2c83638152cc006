#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# -m ro of an image whose journal recorded an error (jbd2_journal_abort()
# leaves s_errno in its superblock, as an ext4 error with errors=remount-ro
# or a failed image write does): ext4 must clear it at mount, which needs
# a write a read-only image cannot take. The mount fails as on a
# read-only loop device, in one line; kbox also said "writing the image
# failed: Bad file descriptor; guest writes are missing from it". The
# image is not touched, and a read-write run mounts it.
. "$(dirname "$0")/lib/common.sh"
require_kbox
require_cmd mke2fs debugfs dumpe2fs e2fsck
img="$TMP/jerr.img"
mke2fs -q -F -t ext4 -O ^metadata_csum "$img" 8M || fail "mke2fs"
j=$(debugfs -R "blocks <8>" "$img" 2>/dev/null | awk '{print $1}')
bs=$(dumpe2fs -h "$img" 2>/dev/null | awk '/^Block size/{print $3}')
# s_errno (big-endian, offset 32 of the journal superblock) = -EIO
printf '\xff\xff\xff\xfb' |
	dd of="$img" bs=1 seek=$((j * bs + 32)) conv=notrunc status=none
sum=$(md5sum <"$img")
KB_TIMEOUT=30 kbo "$TMP/out" -m ro -r "$img" -- /bin/true
expect_status 1 $? "-m ro of a journal with an error"
expect_grep "^kbox: cannot mount image .*: Input/output error" "$TMP/out" "the mount's error"
expect_no_grep "writing the image failed" "$TMP/out" "no lost guest writes claimed"
check "just that line" test "$(wc -l <"$TMP/out")" -eq 1
check "image untouched" test "$(md5sum <"$img")" = "$sum"
KB_TIMEOUT=30 kbo "$TMP/out" -r "$img" -- /bin/true
expect_status 127 $? "read-write run mounts it (no /bin/true in it)"
e2fsck -fn "$img" >/dev/null 2>&1
check "image clean after the read-write run (e2fsck -fn)" test $? -eq 0
done_test
