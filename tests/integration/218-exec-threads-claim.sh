#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/exec-threads-race, strictly: four threads of a process call
# execve at once (one buffer holds the path they all pass). Natively one
# exec wins and the others never return. Under kbox a losing thread's
# execv returned ENOENT (nearly every round): each exec rewrote the
# shared path into its own alias and put it back when it lost, so the
# others read an alias lx has no file for, or the winner's host exec
# found the path put back (src/exec/exec.c exec_claim). "mixed": one
# thread per round execs a missing program; it fails with ENOENT (or
# dies), and a good thread's exec still replaces the process. Before
# that, kbox crashed (SIGSEGV in lx_interrupt, every run): an exec freed
# its thread's own lx task while its request still pointed at it, and
# another thread's exec (or the scan) interrupted the freed task.
. "$(dirname "$0")/lib/common.sh"
require
KB_TIMEOUT=120
kbo "$TMP/out" -S "$IMG" -- /opt/kbox-tests/exec-threads-race 100 4
st=$?
not_crashed $st "threads exec'ing at once"
expect_status 0 $st "no thread's execv returned"
expect_no_grep 'FAIL' "$TMP/out" "no FAIL line"
expect_grep '^ok - 100 rounds of 4 threads' "$TMP/out" "the guest ran every round"
kbo "$TMP/out2" -S "$IMG" -- /opt/kbox-tests/exec-threads-race 100 4 mixed
st=$?
not_crashed $st "threads exec'ing at once, one a missing program"
expect_status 0 $st "the missing program's exec failed alone"
expect_no_grep 'FAIL' "$TMP/out2" "no FAIL line (mixed)"
expect_grep '^ok - 100 rounds of 4 threads .*missing' "$TMP/out2" \
	"the guest ran every mixed round"
# a #! script: each exec through the trampoline freed the state another
# had put there (kbox aborted: double free, or SIGSEGV)
kbo "$TMP/out3" -S "$IMG" -- /bin/sh -c \
	'printf "#!/bin/sh\nexit 0\n" >/tmp/s.sh && chmod +x /tmp/s.sh &&
	 exec /opt/kbox-tests/exec-threads-race 100 4 script /tmp/s.sh'
st=$?
not_crashed $st "threads exec'ing a script at once"
expect_status 0 $st "every round's script ran"
expect_grep '^ok - 100 rounds of 4 threads .*script' "$TMP/out3" \
	"the guest ran every script round"
done_test
