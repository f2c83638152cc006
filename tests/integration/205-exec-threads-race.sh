#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/exec-threads-race: four threads of a process call execve at
# once, 200 times. kbox crashed (SIGSEGV in lx_interrupt, every run): an
# exec ended and freed its thread's own lx task while its request still
# pointed at it, and another thread's exec (or the scan) interrupted the
# freed task. Then the execs ended each other's calls and each waited for
# its own thread to die: none went on (the run hung). Checked here: kbox
# survives and the guest gets through every round. That no losing
# thread's execv returns is checked by 949-exec-threads-claim.
. "$(dirname "$0")/lib/common.sh"
require
KB_TIMEOUT=120
kbo "$TMP/out" -S "$IMG" -- /opt/kbox-tests/exec-threads-race 200 4
st=$?
not_crashed $st "threads exec'ing at once"
expect_grep '200 rounds of 4 threads' "$TMP/out" "the guest ran every round"
done_test
