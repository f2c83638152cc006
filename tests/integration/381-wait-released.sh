#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/wait-released: once `kill -9 $p; wait $p` has returned,
# what p held in lx is free at the parent's very next call - its flock,
# fcntl lock, SEM_UNDO semaphore and mq_notify registration - and its
# blocked msgrcv/mq_receive takes no later message, and a non-blocking
# open of its FIFO for writing is ENXIO, as natively. kbox let
# the killed process's task go from its serve loop, racing that call
# (and held by a call blocked in lx until a later scan): a lock was still
# held in a fifth to a half of the rounds.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" wait-released /root 40
run_guest_test "-R" wait-released /tmp 40
kbo "$TMP/user.out" -R "$(own_img)" --change-id 1000:1000 -- /opt/kbox-tests/wait-released /tmp 40
expect_status 0 $? "wait-released as 1000:1000"
expect_no_grep '^FAIL' "$TMP/user.out" "as 1000:1000: no FAIL line"
done_test
