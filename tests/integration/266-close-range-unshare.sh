#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/clone-share closerange: close_range(CLOSE_RANGE_UNSHARE) by
# one of two processes sharing an fd table (CLONE_FILES) takes a table of
# its own first, so the other keeps the fds; kbox closed them in the one
# table it and lx had for both, and the sharer's reads failed (EBADF).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" clone-share closerange /var/tmp
run_guest_test "--change-id 1000:1000 -R" clone-share closerange /tmp
done_test
