#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/sigchld-eintr: with SIGCHLD arriving all the time and a
# handler without SA_RESTART (as dash has), stat/open/close/fork must never
# fail with EINTR: a supervised call not yet received is withdrawn by any
# signal, so kbox holds a child's exit until its parent cannot lose one.
# Pinned to one CPU (where it failed a third of the time) and unpinned.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-r" sigchld-eintr 300
KB_WRAP="taskset -c 0" run_guest_test "-r" sigchld-eintr 300
run_guest_test "-S" sigchld-eintr 300 /etc/os-release
done_test
