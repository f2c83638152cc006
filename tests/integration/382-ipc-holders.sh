#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/ipc-holders: System V IPC and POSIX message queues between
# guest processes that exec and die (what faked and libfakeroot lean on
# under dpkg-buildpackage): a shared memory segment across fork and exec
# (attach counts, creator and last pids, a keyed one found by the exec'd
# program), a SEM_UNDO holder killed with a waiter queued behind it,
# SEM_UNDO kept across exec and shared by threads, waiters and receivers
# killed while blocked (a later +1 or message is not given to them), an
# mq_notify registration that goes with its killed owner (it stayed,
# EBUSY, when the next registration came right after the reap), SI_MESGQ
# from the sender.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" ipc-holders
kbo "$TMP/user.out" -R "$(own_img)" --change-id 1000:1000 -- /opt/kbox-tests/ipc-holders
expect_status 0 $? "ipc-holders as 1000:1000"
expect_no_grep '^FAIL' "$TMP/user.out" "as 1000:1000: no FAIL line"
done_test
