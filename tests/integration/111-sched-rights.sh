#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/sched-rights: a guest user may not raise its scheduling
# priority (nice below its own, real-time policies, leaving SCHED_IDLE):
# kbox run by root let it do so on the host.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "--change-id 1000:1000 -R" sched-rights
done_test
