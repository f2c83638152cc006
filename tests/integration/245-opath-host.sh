#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# O_PATH opens of host objects get a stand-in that acts like O_PATH where
# it can (tests/guest/opath-host): `open("/dev/null", O_PATH)` read as
# empty (natively EBADF), and an O_PATH reopen of a memfd by
# /proc/self/fd/N was EBADF (natively it opens).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" opath-host
run_guest_test "--change-id 1000:1000 -R" opath-host
done_test
