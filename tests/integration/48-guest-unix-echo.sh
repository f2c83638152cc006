#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/unix-echo: unix sockets bound to paths in the guest's
# filesystem (tmpfs and ext4), echo between forked guest processes, SCM_RIGHTS.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" unix-echo
run_guest_test "-0 -r" unix-echo /var/tmp
# As a normal user: SCM_RIGHTS of image files must not need ptrace rights
# over kbox's holder task (they did: the receiver got no fd).
run_guest_test "--change-id 1000:1000 -R" unix-echo
done_test
