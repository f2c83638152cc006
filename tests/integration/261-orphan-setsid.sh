#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/orphan-setsid: a process group with a stopped member that a
# setsid() or setpgid() orphaned gets no SIGHUP/SIGCONT (Linux sends them
# only when an exit orphans a group); kbox's orphan check, which compared
# groups between two guest exits, sent both at the next exit of any
# process. One orphaned by an exit still gets them. Short timeout: a hang
# is a failure.
. "$(dirname "$0")/lib/common.sh"
require
KB_TIMEOUT=30 run_guest_test "-S" orphan-setsid
KB_TIMEOUT=30 run_guest_test "--change-id 1000:1000 -R" orphan-setsid
done_test
