#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/fifo-readiness (found by tests/guest/poll-fuzz): a read
# drains a FIFO for its other opens too (their mirrors stayed readable);
# a dup of a write end polls as the write end (it polled readable); a
# closed write end leaves an epoll set (one shared host file kept it
# there: EPOLLOUT for a closed fd, EEXIST for a new one at its number);
# EPOLLET reports every write, also to a FIFO not yet drained. On ext4
# and tmpfs, as root and as a normal user.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" fifo-readiness /root
run_guest_test "-S" fifo-readiness /tmp
run_guest_test "--change-id 1000:1000 -R" fifo-readiness /tmp
done_test
