#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/blocked-many: hundreds of guest calls blocked at once (FIFO
# opens in lx's tmpfs, on ext4 and in a bind, flock waits), then woken.
# Each holds a supervisor worker; the pool stopped at 64 and the 65th
# blocked call's wake-up was never served: the guest hung.
. "$(dirname "$0")/lib/common.sh"
require
mkdir -p "$TMP/b"
run_guest_test "-S" blocked-many /tmp 150 60
run_guest_test "-S" blocked-many /var/tmp 100 40
run_guest_test "-b $TMP/b:/mnt/b -S" blocked-many /mnt/b 100 40
done_test
