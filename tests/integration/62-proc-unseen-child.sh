#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A child that has made no supervised call yet is in /proc like any other
# process: tests/guest/proc-unseen clones a child that spins without
# system calls and finds it by listing, stat, status, and stopped. The
# supervisor used to learn of a child only at its first notified call,
# so `cmd & kill -STOP $!; cat /proc/$!/status` said ENOENT.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" proc-unseen
run_guest_test "--change-id 1000:1000 -R" proc-unseen
done_test
