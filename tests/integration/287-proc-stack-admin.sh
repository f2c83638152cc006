#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/procfs-edges stack: Linux lets only CAP_SYS_ADMIN read a
# kernel stack (/proc/<pid>/stack, one's own too); kbox opened the host's
# file with its own rights, so a guest user read it (found by
# tests/guest/procfs-fuzz). Guest root still reads it.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "--change-id 1000:1000 -R" procfs-edges stack /tmp
run_guest_test "-S" procfs-edges stack /tmp
done_test
