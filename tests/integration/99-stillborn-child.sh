#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/stillborn-child: a child that faults before its first
# supervised call leaves nothing behind in lx (its prepared task kept the
# cwd busy - "unmount at halt: Device or resource busy", kbox exit 1 for
# a guest that exited 0 - and its fd table held the parent's lock).
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
out=$TMP/out
kbo "$out" -S "$img" -- /opt/kbox-tests/stillborn-child /root/lockfile
st=$?
grep -v '^ok' "$out" | sed 's/^/    | /' | tail -20
expect_status 0 "$st" "stillborn-child, and kbox's end"
expect_no_grep '^FAIL' "$out" "no FAIL line"
expect_no_grep 'unmount at halt' "$out" "the unmount found nothing busy"
done_test
