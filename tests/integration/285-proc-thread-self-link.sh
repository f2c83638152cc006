#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/procfs-edges thread-self: readlink("/proc/thread-self") in
# a thread other than the leader is "<pid>/task/<tid>"; lx answered with
# its own number for the thread's task ("<pid>/task/23", found by
# tests/guest/procfs-fuzz).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" procfs-edges thread-self /var/tmp
run_guest_test "--change-id 1000:1000 -R" procfs-edges thread-self /tmp
done_test
