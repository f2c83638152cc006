#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/int80: an i386 system call from a 64-bit program is ENOSYS
# (never run); the filter killed the process with SIGSYS (found by
# trinity, whose children died of it).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" int80
done_test
