#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/sparse-window-map: a read-only mapping of a 4 GiB sparse
# file (MAP_SHARED of all of it, a MAP_PRIVATE window, the last page) is
# quick, with the data in place and zeros in the holes, and the fd's
# offset untouched - on ext4, on tmpfs, and as a normal user. kbox read
# every hole through lx (CPython's test_mmap test_around_4GB: 12-30 s).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" sparse-window-map /var/tmp
run_guest_test "-S" sparse-window-map /tmp
run_guest_test "--change-id 1000:1000 -R" sparse-window-map /tmp
done_test
