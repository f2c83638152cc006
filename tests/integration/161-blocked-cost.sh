#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/blocked-cost: 150 guests waiting in flock must not slow the
# others' calls. Each request asked the host about every blocked call and
# the sentinel read each one's /proc status every tick: a stat took ~100x
# as long (src/dispatch/inflight.c).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" blocked-cost /var/tmp/blocked-cost.lock 150
done_test
