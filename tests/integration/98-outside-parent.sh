#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/outside-parent: the guest's first process may query and
# signal its parent (kbox): kill(getppid(), 0) said ESRCH ("parent gone"),
# sched_getscheduler(getppid()) failed (Python's test_posix); a SIGUSR1
# came back to the guest through kbox's forwarding and killed it. kbox
# stays up through a SIGKILL sent that way and keeps what the guest wrote.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
out=$TMP/out
kbo "$out" -S "$img" -- /opt/kbox-tests/outside-parent /root/after
st=$?
grep -v '^ok' "$out" | sed 's/^/    | /' | tail -20
expect_status 0 "$st" "outside-parent"
expect_no_grep '^FAIL' "$out" "no FAIL line"
expect_grep '^ok - kill\(ppid, SIGKILL\)' "$out" "the guest ran past kill(ppid, SIGKILL)"
check "the file written after the signals is in the image" \
    test "$(img_cat "$img" /root/after)" = after
done_test
