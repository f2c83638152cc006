#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# SEEK_DATA and SEEK_HOLE on lx's tmpfs (/tmp, /dev/shm) find the holes of
# a sparse file as Linux's tmpfs does; the whole file was data, so cp
# --sparse and tar -S copied /tmp's sparse files whole. Where the host
# has a tmpfs at /dev/shm the same script runs there and must agree.
. "$(dirname "$0")/lib/common.sh"
require
cat >"$TMP/seek.py" <<'PY'
import os, sys
p = os.path.join(sys.argv[1], "sparse")
with open(p, "wb") as f:
    f.truncate(1 << 20)
    f.seek(512 << 10)
    f.write(b"x")
fd = os.open(p, os.O_RDONLY)
def q(off, whence):
    try:
        return os.lseek(fd, off, whence)
    except OSError as e:
        return "E%d" % e.errno
print("data-from-0", q(0, os.SEEK_DATA), "hole-from-512k", q(512 << 10, os.SEEK_HOLE),
      "hole-from-0", q(0, os.SEEK_HOLE), "data-from-end", q((1 << 20) - 1, os.SEEK_DATA),
      "data-past-eof", q(2 << 20, os.SEEK_DATA))
os.unlink(p)
PY
want="data-from-0 524288 hole-from-512k 528384 hole-from-0 0 data-from-end E6 data-past-eof E6"
for d in /tmp /dev/shm; do
	kbo "$TMP/out" -S "$IMG" -b "$TMP:/t" -- python3 /t/seek.py "$d"
	got=$(cat "$TMP/out")
	[ "$got" = "$want" ] && pass "SEEK_DATA/SEEK_HOLE in $d: as tmpfs" ||
		fail "SEEK_DATA/SEEK_HOLE in $d: '$got', want '$want'"
done
if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] && [ -w /dev/shm ] &&
	command -v python3 >/dev/null; then
	n=$(mktemp -d /dev/shm/kbox-seek.XXXXXX)
	got=$(python3 "$TMP/seek.py" "$n" 2>&1)
	rm -rf "$n"
	[ "$got" = "$want" ] && pass "the host's tmpfs says the same" ||
		fail "the host's tmpfs says '$got'"
fi
done_test
