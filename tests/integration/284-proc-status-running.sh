#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/procfs-edges state: a process or thread reading its own
# /proc/<pid>/status sees State R (running), as natively and as its stat
# says; kbox took the snapshot while the reader waited for it, and the
# host said S (sleeping) (found by tests/guest/procfs-fuzz).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" procfs-edges state /var/tmp
run_guest_test "--change-id 1000:1000 -R" procfs-edges state /tmp
done_test
