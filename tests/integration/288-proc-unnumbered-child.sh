#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/procfs-edges unseen: a child whose calls were all served on
# the host (a write to a pipe, pause) had not taken its host pid in lx
# (done at its first call that reaches lx), so its /proc/<pid> directory
# and cwd were ENOENT and /proc did not list it, while its stat and status
# (the host's) were there (found by tests/guest/procfs-fuzz).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" procfs-edges unseen /var/tmp
run_guest_test "--change-id 1000:1000 -R" procfs-edges unseen /tmp
done_test
