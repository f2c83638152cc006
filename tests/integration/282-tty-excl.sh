#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/tty-excl: a terminal set exclusive (TIOCEXCL) refuses new
# opens (its path, a /proc/self/fd link, /dev/tty, TIOCGPTPEER) with EBUSY
# to a process without CAP_SYS_ADMIN. kbox opens the node itself, so under
# a root kbox a guest user got in (found by tests/guest/tty-fuzz).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "--change-id 1000:1000 -R" tty-excl
run_guest_test "-S" tty-excl
done_test
