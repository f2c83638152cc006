#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The message queue limit kbox is started with (ulimit -q) is the guest's:
# lx serves POSIX message queues and counted them against its own copy of
# the limit, Linux's default 819200, so under `ulimit -q 0` a guest's
# mq_open succeeded where natively it is EMFILE (tests/guest/mq-limit).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" mq-limit
expect_grep '^ok - a queue within RLIMIT_MSGQUEUE$' "$GUEST_OUT" "a queue under the default limit"
img=$(own_img)
(
	ulimit -q 0
	kbo "$TMP/q0" -S "$img" -- /opt/kbox-tests/mq-limit
)
expect_status 0 $? "guest mq-limit under ulimit -q 0"
expect_grep '^ok - a queue past RLIMIT_MSGQUEUE is EMFILE$' "$TMP/q0" "ulimit -q 0: EMFILE"
done_test
