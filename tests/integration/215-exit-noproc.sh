#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/exit-noproc: a child's threads make calls kbox serves while
# its main thread calls exit_group. A call taken after kbox let the exit
# go (the process removed, the host not yet done killing the thread)
# found no process and got EPERM at once (engine.c "noproc"), and the
# thread ran on with it: 394-471 of 500 children saw one; natively none.
# Such a reply now waits until the thread is gone.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" exit-noproc 300 3
done_test
