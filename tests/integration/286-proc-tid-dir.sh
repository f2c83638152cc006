#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/procfs-edges tid: /proc/<tid> of a thread that is not its
# process's leader is there on Linux (not listed); in kbox it was ENOENT
# (lx has no such pid), now it is the thread's /proc/<pid>/task/<tid>
# (found by tests/guest/procfs-fuzz).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" procfs-edges tid /var/tmp
run_guest_test "--change-id 1000:1000 -R" procfs-edges tid /tmp
done_test
