#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/blocking: a guest parked in a supervised call that waits for
# another guest (flock, F_SETLKW, a FIFO open in the image) must not stall
# that other guest's supervised calls; pinned to one CPU and unpinned.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" blocking /tmp
run_guest_test "-r" blocking /var/tmp
KB_WRAP="taskset -c 0" run_guest_test "-r" blocking /root
done_test
