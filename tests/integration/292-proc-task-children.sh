#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/procfs-edges children: /proc/<pid>/task/<tid>/children (what
# pstree and psutil's children() read) was ENOENT: kbox took it for a
# per-process entry of lx's and asked for /proc/self/children, which no
# kernel has (found by tests/guest/procfs-fuzz).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" procfs-edges children /var/tmp
run_guest_test "--change-id 1000:1000 -R" procfs-edges children /tmp
done_test
