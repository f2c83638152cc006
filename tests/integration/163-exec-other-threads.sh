#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/exec-other-threads: an exec while another thread is blocked
# in lx (a FIFO open, an flock wait) hung for good (ending that thread's
# lx task waited for its call); an exec from a thread after the leader's
# pthread_exit failed with ENOENT (/proc/self/fd in the exec aliases).
. "$(dirname "$0")/lib/common.sh"
require
KB_TIMEOUT=120
run_guest_test "-S" exec-other-threads /tmp
run_guest_test "-R" exec-other-threads /tmp
done_test
