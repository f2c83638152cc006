#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/clone-share threadfs: a thread cloned without CLONE_FS has
# a copy of the cwd, root and umask; kbox gave every thread the process's,
# so the thread's chdir and umask moved the main thread too.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" clone-share threadfs /var/tmp
run_guest_test "--change-id 1000:1000 -R" clone-share threadfs /tmp
done_test
