#!/bin/bash
# mkrootfs --size: an image made larger than its content has room for
# files to come, one inode per 16 KiB as mke2fs gives by default (before,
# the content's file count: a 4 GiB image ran out of inodes with 1.3 GB
# free).
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
src=$TEST_TMP/src
mkdir -p "$src/etc"
echo hello >"$src/etc/hello"
"$MKROOTFS" -q --cache "$TEST_TMP/cache" --from "$src" --size 256M -o "$TEST_TMP/x.ext4"
e2fsck_clean "$TEST_TMP/x.ext4"
n=$(debugfs -R stats "$TEST_TMP/x.ext4" 2>/dev/null | sed -n 's/^Inode count: *//p')
[ "${n:-0}" -ge 16384 ] || fail "256 MiB image has $n inodes, want >= 16384"
expect_eq "content" "$(image_cat "$TEST_TMP/x.ext4" /etc/hello)" hello
exit 0
