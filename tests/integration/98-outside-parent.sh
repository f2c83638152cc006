#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/outside-parent: the guest's first process may query and
# signal its parent (kbox): kill(getppid(), 0) said ESRCH ("parent gone"),
# sched_getscheduler(getppid()) failed (Python's test_posix); a SIGUSR1
# came back to the guest through kbox's forwarding and killed it. kbox
# stays up through a SIGKILL sent that way and keeps what the guest wrote.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" outside-parent /root/after
expect_grep '^ok - kill\(ppid, SIGKILL\)' "$GUEST_OUT" "the guest ran past kill(ppid, SIGKILL)"
check "the file written after the signals is in the image" \
    test "$(img_cat "$GUEST_IMG" /root/after)" = after
done_test
