#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/reused-inode-map: a file removed and made again, same size,
# under the freed inode number within one tick of lx's coarse clock: each
# private mapping shows the new file's bytes, not the content kbox cached
# for the removed one (its key: inode, size, times, change counter; lx
# now mixes i_generation into the counter). Found as the 254-shebang-edges
# flake: a #! script rewritten that way ran its old text under load.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" reused-inode-map /var/tmp
run_guest_test "--change-id 1000:1000 -R" reused-inode-map /var/tmp
done_test
