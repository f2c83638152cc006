#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/cloexec-exec: exec (from a forked child and in-process)
# closes exactly the close-on-exec fds and keeps offsets of the others.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" cloexec-exec
run_guest_test "-0 -r" cloexec-exec /var/tmp
done_test
