#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/zombie-child: pidfd_open, getpgid of an exited, unreaped
# child (ESRCH under kbox: asyncio's pidfd child watcher failed).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" zombie-child
done_test
