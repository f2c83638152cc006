#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/spawn-threads-path: four threads posix_spawn one path
# literal at once, and call system() at once (glibc's one "/bin/sh").
# The children share the parent's memory and each exec wrote its alias
# over that string: another child read the alias, and its posix_spawn
# failed ENOENT or its system() gave 127 (several per 100). One child at
# a time rewrites a parent's memory now (journal.c
# kbox_exec_share_claim).
. "$(dirname "$0")/lib/common.sh"
require
KB_TIMEOUT=120
kbo "$TMP/out" -S "$IMG" -- /opt/kbox-tests/spawn-threads-path 50
st=$?
not_crashed $st "threads spawning one path at once"
expect_status 0 $st "every spawn and system() ran"
expect_no_grep 'FAIL' "$TMP/out" "no FAIL line"
expect_grep '^ok - 4 threads x 50' "$TMP/out" "the guest ran every round"
done_test
