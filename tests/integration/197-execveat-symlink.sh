#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# execveat(fd, "", AT_EMPTY_PATH) of an O_PATH|O_NOFOLLOW fd of a symlink
# (tests/guest/execveat-symlink): ELOOP as Linux (may_open); kbox said
# EACCES.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-R" execveat-symlink /tmp
run_guest_test "-S" execveat-symlink /tmp
done_test
