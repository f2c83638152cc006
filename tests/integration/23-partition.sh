#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# -p N mounts partition N of a partitioned image (MBR here): the kernel's
# own partition parser finds it; a missing partition is one clear error.
. "$(dirname "$0")/lib/common.sh"
require_kbox
[ -x "$BUILD/guest/hello" ] || skip "guest programs not built"

mkdir -p "$TMP/root/bin" "$TMP/root/etc"
cp "$BUILD/guest/hello" "$TMP/root/bin/hello"
echo "partition two" >"$TMP/root/etc/marker"
# 1 MiB of partition table and gap, then a 31 MiB ext4 partition.
img=$TMP/disk.img
truncate -s 32M "$img"
mke2fs -q -F -t ext4 -E offset=1048576 -d "$TMP/root" "$img" 31M || fail "mke2fs"
python3 - "$img" <<'PY'
import struct, sys
mbr = bytearray(512)
# one Linux (0x83) partition: LBA 2048, 31 MiB, in slot 2
entry = struct.pack("<B3sB3sII", 0, b"\0\0\0", 0x83, b"\0\0\0", 2048, 31 * 2048)
mbr[446 + 16:446 + 32] = entry
mbr[510:512] = b"\x55\xaa"
with open(sys.argv[1], "r+b") as f:
    f.write(mbr)
PY

kbo "$TMP/out" -r "$img" -p 2 -- /bin/hello part
expect_status 0 $? "run a program from partition 2"
expect_grep '^hello from kbox guest part$' "$TMP/out" "its output"
kbo "$TMP/out" -r "$img" -p 3 -- /bin/hello
st=$?
check "missing partition 3 fails (status $st)" test "$st" -ne 0 -a "$st" -lt 126
expect_grep 'no partition 3' "$TMP/out" "says which partition is missing"
kbo "$TMP/out" -r "$img" -- /bin/hello
st=$?
check "the whole disk is no ext4 image (status $st)" test "$st" -ne 0 -a "$st" -lt 126
dd if="$img" of="$TMP/part.img" bs=1M skip=1 status=none
e2fsck -fn "$TMP/part.img" >/dev/null 2>&1
check "partition still clean after use (e2fsck -fn)" test $? -eq 0
done_test
