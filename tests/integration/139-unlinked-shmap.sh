#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/unlinked-shmap: a file mapped shared and then deleted gives
# its space back once nothing maps it (SQLite's WAL -shm filled /tmp and
# the image after thousands of open/close cycles), in lx's tmpfs and the
# image; a deleted file still mapped stays coherent.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" unlinked-shmap /tmp
run_guest_test "--change-id 1000:1000 -R" unlinked-shmap /var/tmp
done_test
