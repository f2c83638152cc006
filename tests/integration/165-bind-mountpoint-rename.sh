#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# rename involving a bind's mount point: the kernel first compares the
# parents' mounts (EXDEV when they differ: `mv /work/x /work`), and only
# then refuses to move or replace a mount point (EBUSY). kbox said EBUSY
# for both.
. "$(dirname "$0")/lib/common.sh"
require
b=$TMP/b
mkdir -p "$b"
kbo "$TMP/out" -S "$IMG" -b "$b:/work" -- /usr/bin/python3 -c '
import errno, os
open("/work/rn", "w").close()
open("/zz", "w").close()
def t(a, b):
    try:
        os.rename(a, b)
        print(a, b, "ok")
    except OSError as e:
        print(a, b, errno.errorcode[e.errno])
t("/work/rn", "/work")
t("/work", "/work/x")
t("/zz", "/work")
t("/work", "/yy")'
expect_status 0 $? "renames run"
expect_grep '^/work/rn /work EXDEV$' "$TMP/out" "a bind's file onto its mount point: EXDEV"
expect_grep '^/work /work/x EXDEV$' "$TMP/out" "the mount point into the bind: EXDEV"
expect_grep '^/zz /work EBUSY$' "$TMP/out" "an image file onto the mount point: EBUSY"
expect_grep '^/work /yy EBUSY$' "$TMP/out" "the mount point renamed in the image: EBUSY"
[ -e "$b/rn" ] && pass "the bind's file stayed" || fail "the bind's file moved"
done_test
