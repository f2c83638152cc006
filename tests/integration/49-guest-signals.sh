#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/signals: kill/tgkill/tkill, SIGCHLD siginfo, SIGPIPE,
# EINTR vs SA_RESTART, process groups, consistent pids.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" signals
run_guest_test "--change-id 1000:1000 -R" signals
done_test
