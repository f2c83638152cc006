#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/fhandle-outside as guest root of a root kbox (the host
# decodes handles for kbox only with CAP_DAC_READ_SEARCH): a handle of a
# host file outside the bind, given to open_by_handle_at with the bind's
# directory as mount fd and O_TRUNC, is ESTALE and leaves the file whole.
# The host opened it with the guest's flags before kbox looked: the file
# was emptied (any file of the bind's host file system, whose ext4 inode
# numbers a guest can guess: generation 0 matches every generation).
. "$(dirname "$0")/lib/common.sh"
require
require_cmd python3
[ "$(id -u)" -eq 0 ] || skip "needs a root kbox (open_by_handle_at on the host)"
mkdir "$TMP/share" || fail "mkdir"
echo "outside, keep me" >"$TMP/outside"
h=$(python3 - "$TMP/outside" <<'PY'
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
class FH(ctypes.Structure):
    _fields_ = [("bytes", ctypes.c_uint), ("type", ctypes.c_int), ("f", ctypes.c_ubyte * 128)]
fh, mnt = FH(128, 0), ctypes.c_int()
if libc.name_to_handle_at(-100, sys.argv[1].encode(), ctypes.byref(fh), ctypes.byref(mnt), 0):
    sys.exit(1)
print("%d:%s" % (fh.type, bytes(fh.f[:fh.bytes]).hex()))
PY
) || skip "no file handles on this file system"
kbo "$TMP/guest.out" -S "$IMG" -b "$TMP/share:/mnt" -- /opt/kbox-tests/fhandle-outside /mnt "$h"
st=$?
grep -v '^ok' "$TMP/guest.out" | sed 's/^/    | /'
expect_status 0 "$st" "guest fhandle-outside"
expect_no_grep '^FAIL' "$TMP/guest.out" "no FAIL line"
check "the outside file is whole" grep -q "outside, keep me" "$TMP/outside"
done_test
