#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/pthread-files: 8 threads x mixed file syscalls, with a 9th
# thread blocked in read() that must not stall them.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" pthread-files 200 8
run_guest_test "-0 -r" pthread-files 100 8 /var/tmp
done_test
