#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# -p N mounts partition N of a partitioned image (MBR here): the kernel's
# own partition parser finds it; a missing partition is one clear error.
. "$(dirname "$0")/lib/common.sh"
require_kbox
[ -x "$BUILD/guest/hello" ] || skip "guest programs not built"

# partition_runs IMG N: a program runs from partition N of IMG, and
# partition N+1 is missing, in one clear error.
partition_runs() {
	local img=$1 n=$2 st
	kbo "$TMP/out" -r "$img" -p "$n" -- /bin/hello "p$n"
	expect_status 0 $? "run a program from partition $n"
	expect_grep "^hello from kbox guest p$n\$" "$TMP/out" "its output"
	kbo "$TMP/out" -r "$img" -p $((n + 1)) -- /bin/hello
	st=$?
	check "missing partition $((n + 1)) fails (status $st)" test "$st" -ne 0 -a "$st" -lt 126
	expect_grep "no partition $((n + 1))" "$TMP/out" "says which partition is missing"
}

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

partition_runs "$img" 2
kbo "$TMP/out" -r "$img" -- /bin/hello
st=$?
check "the whole disk is no ext4 image (status $st)" test "$st" -ne 0 -a "$st" -lt 126
dd if="$img" of="$TMP/part.img" bs=1M skip=1 status=none
e2fsck -fn "$TMP/part.img" >/dev/null 2>&1
check "partition still clean after use (e2fsck -fn)" test $? -eq 0

# GPT: partitions past the 15th have numbers of the extended major; -p
# 17 said "has no partition 17" though lx listed it.
echo "partition seventeen" >"$TMP/root/etc/marker"
gpt=$TMP/gpt.img
truncate -s 40M "$gpt"
mke2fs -q -F -t ext4 -E offset=$((18 << 20)) -d "$TMP/root" "$gpt" 16M || fail "mke2fs"
python3 - "$gpt" <<'PY'
import struct, sys, uuid, zlib
path = sys.argv[1]
sectors = 40 * 2048
linux = uuid.UUID("0FC63DAF-8483-4772-8E79-3D69D8477DE4").bytes_le
def entry(first, name):
    return (linux + uuid.uuid4().bytes_le +
            struct.pack("<QQQ", first, first + 16 * 2048 - 1, 0) +
            name.encode("utf-16-le").ljust(72, b"\0"))
table = bytearray(128 * 128)
table[0:128] = entry(2048, "one")               # partition 1
table[16 * 128:17 * 128] = entry(18 * 2048, "p17")  # partition 17
tcrc = zlib.crc32(table)
disk = uuid.uuid4().bytes_le
def header(cur, alt, tlba):
    h = struct.pack("<8sIIIIQQQQ16sQIII", b"EFI PART", 0x10000, 92, 0, 0,
                    cur, alt, 34, sectors - 34, disk, tlba, 128, 128, tcrc)
    h = h[:16] + struct.pack("<I", zlib.crc32(h)) + h[20:]
    return h.ljust(512, b"\0")
mbr = bytearray(512)  # protective MBR
mbr[446:462] = struct.pack("<B3sB3sII", 0, b"\0\2\0", 0xEE, b"\xff\xff\xff",
                           1, sectors - 1)
mbr[510:] = b"\x55\xaa"
with open(path, "r+b") as f:
    f.write(mbr + header(1, sectors - 1, 2) + table)
    f.seek((sectors - 33) * 512)
    f.write(table + header(sectors - 1, 1, sectors - 33))
PY
partition_runs "$gpt" 17
done_test
