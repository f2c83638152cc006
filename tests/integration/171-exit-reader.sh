#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/exit-reader: a process that exits while one of its threads
# is blocked reading a FIFO in lx must not take data written after its
# exit (its lx read was left blocked and took it, ~1 round in 20 to 100).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" exit-reader /tmp
done_test
