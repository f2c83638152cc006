#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/stat-layout: stat/fstat/lstat/fstatat/statx and the raw
# legacy syscalls agree field by field, on tmpfs and on the image's ext4.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" stat-layout
run_guest_test "-0 -r" stat-layout /var/tmp
run_guest_test "--change-id 1000:1000 -R" stat-layout
done_test
