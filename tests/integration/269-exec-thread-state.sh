#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/clone-share execthread: exec from a thread that unshared
# CLONE_FS, chdir'd, set its umask and (as root) changed its euid by a
# raw setresuid: the new program has that thread's cwd, umask and ids, as
# the host makes the thread the process; kbox gave it the process's (the
# main thread's), as the exec ran on the process's lx task.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" clone-share execthread /var/tmp
run_guest_test "--change-id 1000:1000 -R" clone-share execthread /tmp
done_test
