#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/kill-release: a process killed by a signal lets go of its
# flock and its FIFO write end as it dies, not at kbox's next sweep.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" kill-release /root
run_guest_test "-R" kill-release /tmp
done_test
