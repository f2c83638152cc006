#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 4 guest processes do concurrent I/O on one file (10 s or 20,000 rounds
# each, whichever comes first): each owns a
# region it rewrites and verifies with pwrite/pread, and all append records
# with O_APPEND; at the end every region and every record is intact.
. "$(dirname "$0")/../integration/lib/common.sh"
require
img_has "$IMG" /usr/bin/python3 || skip "no python3 in the image"

prog='
import os, sys, time, struct
path = sys.argv[1]
NP, REG = 4, 65536
fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
os.ftruncate(fd, NP * REG)
os.close(fd)
log = path + ".log"
os.close(os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644))
deadline = time.monotonic() + 10
kids = []
for p in range(NP):
    pid = os.fork()
    if pid == 0:
        fd = os.open(path, os.O_RDWR)
        lfd = os.open(log, os.O_WRONLY | os.O_APPEND)
        it = 0
        while time.monotonic() < deadline and it < 20000:
            block = bytes([(p * 31 + it) % 251]) * 4096
            off = p * REG + (it % 16) * 4096
            if os.pwrite(fd, block, off) != 4096 or os.pread(fd, 4096, off) != block:
                os._exit(1)
            # read a neighbour region while it is being rewritten (content
            # may be torn mid-write, as natively; only the length counts)
            nb = os.pread(fd, 4096, ((p + 1) % NP) * REG + (it % 16) * 4096)
            if len(nb) != 4096:
                os._exit(2)
            rec = struct.pack("<II", p, it) + b"." * 56
            if os.write(lfd, rec) != 64:
                os._exit(3)
            it += 1
        os.write(lfd, struct.pack("<II", p, 0xFFFFFFFF) + b"E" * 56)
        os._exit(0)
    kids.append(pid)
bad = 0
for pid in kids:
    _, st = os.waitpid(pid, 0)
    if st != 0:
        print("FAIL child status", st)
        bad += 1
# after the storm every block holds one byte value (its last write)
fd = os.open(path, os.O_RDONLY)
torn = 0
for b in range(NP * REG // 4096):
    blk = os.pread(fd, 4096, b * 4096)
    if len(blk) != 4096 or blk.count(blk[:1]) != 4096:
        torn += 1
os.close(fd)
print("ok regions" if torn == 0 else "FAIL %d torn blocks" % torn)
bad += torn
data = open(log, "rb").read()
last = {}
ok = len(data) % 64 == 0
for i in range(0, len(data) - 63, 64):
    p, it = struct.unpack("<II", data[i:i + 8])
    if p >= NP or data[i + 8:i + 64] not in (b"." * 56, b"E" * 56):
        ok = False
        break
    if it != 0xFFFFFFFF:
        if it != last.get(p, -1) + 1:
            ok = False
            break
        last[p] = it
print("records", len(data) // 64, "per process", [last.get(p, -1) + 1 for p in range(NP)])
print("ok log" if ok else "FAIL log")
print("ok children" if not bad else "FAIL children")
sys.exit(0 if ok and not bad else 1)
'
marker="kbox-stress-cio-$$"
KB_TIMEOUT=50
kbo "$TMP/out" -S "$IMG" -- /usr/bin/python3 -c "$prog" /var/tmp/cio-data "$marker"
st=$?
cat "$TMP/out"
expect_status 0 "$st" "4 processes of concurrent I/O"
expect_grep '^ok log$' "$TMP/out" "O_APPEND records complete and in order per process"
expect_grep '^ok regions$' "$TMP/out" "every region block intact"
no_leftovers "$marker" "$IMG"
[ "$FAILS" -eq 0 ] && echo PASS || echo FAIL
done_test
