#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# kill(pid, 0) on an exiting, unreaped child (tests/guest/exiting-kill0):
# 0 as on Linux. kbox answered ESRCH between the child's exit_group and
# its becoming a zombie; trinity's main process then took children for
# gone, never reaped them, and zombies piled up.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-R" exiting-kill0
run_guest_test "-S" exiting-kill0
done_test
