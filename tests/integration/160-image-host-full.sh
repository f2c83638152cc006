#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The host file system under the image fills up while the guest writes:
# lx's host writes fail (ENOSPC), ext4 drops the data or aborts its
# journal, and a guest that never calls fsync exits 0. kbox exited 0 and
# said nothing, though /early and /big were not in the image; it now says
# so and exits 1 (lx_disk_write_error, src/image/image.c).
. "$(dirname "$0")/lib/common.sh"
require
[ "$(id -u)" = 0 ] || skip "needs root to mount a small tmpfs"
img_kb=$(du -k "$IMG" | cut -f1)
mkdir -p "$TMP/small"
mount -t tmpfs -o size=$((img_kb + 16384))k kbox-test "$TMP/small" ||
	skip "cannot mount a tmpfs here"
trap 'umount "$TMP/small"; cleanup' EXIT
cp --sparse=always "$IMG" "$TMP/small/img" || skip "image does not fit"

out=$TMP/full.out
kbo "$out" -S "$TMP/small/img" -- /bin/sh -c \
	'echo early > /early; dd if=/dev/zero of=/big bs=1M count=64 2>/dev/null; exit 0'
st=$?
sed 's/^/    | /' "$out"
expect_status 1 "$st" "a guest exiting 0 whose writes did not reach the image"
expect_grep '^kbox: error: writing the image failed: No space left on device' \
	"$out" "kbox says the image could not be written"

# Room again: a run that writes nothing new is clean.
rm -f "$TMP/small/img"
cp --sparse=always "$IMG" "$TMP/small/img"
kbo "$out" -S "$TMP/small/img" -- /bin/sh -c 'echo ok > /ok'
expect_status 0 "$?" "a run that fits"
expect_no_grep 'writing the image failed' "$out" "no error when it fits"
done_test
