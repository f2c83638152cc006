#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/lock-turns: 4 processes take turns on a write lock of one
# file on the image (F_SETLKW, blocking flock, F_SETLK with 1 ms retries;
# with fsync between), each round adding one to a counter under the lock.
# A blocking lock call is now first tried without waiting and, when the
# lock is taken, another worker receives before it waits (fd.c,
# pool.c kbox_sc_will_block): the count says the lock still excludes. (The
# speed-up, ~5x for F_SETLKW hand-overs, is not asserted: timing.)
. "$(dirname "$0")/lib/common.sh"
require
for mode in w wl wf wlf x l; do
	run_guest_test "-S" lock-turns /var/tmp/lock-turns.db 4 100 "$mode"
done
run_guest_test "--change-id 1000:1000 -R" lock-turns /var/tmp/lt.db 3 50 wf
done_test
