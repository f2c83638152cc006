#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/exit-reader: a process that exits while one of its threads
# is blocked reading a FIFO in lx must not take data written after its
# exit (a regression guard for the look for dead callers, inflight.c).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" exit-reader /tmp
done_test
