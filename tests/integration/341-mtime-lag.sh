#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/mtime-lag: file times (lx's coarse clock) keep up with the
# host's CLOCK_REALTIME that the guest reads. lx kept time on the jiffies
# clocksource until clocksource_done_booting() and lost every tick the
# host's timer thread delivered late: its realtime stayed 1-4 ms behind
# the host's for the whole run when idle, 11-15 ms (once 28-36 ms, the
# 311-idle-wakeups failure) on a loaded host. Every write's mtime was that
# much behind; now the least lag of 200 writes is ~0 and none is more
# than a tick or so behind. On lx's tmpfs and on the ext4 image.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-r" mtime-lag /tmp/lag 200 5000 20000 1000
run_guest_test "-r" mtime-lag /var/tmp/lag 200 5000 20000 1000
done_test
