#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/exec-rewritten: exec of a program other processes rewrite
# (O_TRUNC + write) at the same time; kbox died of SIGBUS copying a file
# that shrank under it (stress-ng exec), on the image and on /tmp.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" exec-rewritten /tmp 3
run_guest_test "-S" exec-rewritten /root 3
done_test
