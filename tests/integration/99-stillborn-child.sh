#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/stillborn-child: a child that faults before its first
# supervised call leaves nothing behind in lx (its prepared task kept the
# cwd busy - "unmount at halt: Device or resource busy", kbox exit 1 for
# a guest that exited 0 - and its fd table held the parent's lock).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" stillborn-child /root/lockfile
expect_no_grep 'unmount at halt' "$GUEST_OUT" "the unmount found nothing busy"
done_test
