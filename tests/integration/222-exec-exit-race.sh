#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/exec-exit-race: one thread of a process execs while another
# calls _exit(3). Natively either wins; when the exec does, the exiting
# thread dies in it and the new program runs with the process's fds
# (close-on-exec ones closed), cwd and ids. kbox forgot the process at
# the exit_group, and when the host's exec won every call of the new
# program was EPERM ("noproc"), even its write and exit: 44-60 of 300
# rounds failed with the main thread exiting, 93 of 300 with the leader
# exec'ing. The exit_group now waits for the outcome of an exec claimed
# before it, and an exec claimed after it is refused (the exit wins).
# The guest stops at its fifth failed round (each costs kbox's noproc
# waits): the unpatched kbox failed both parts in every run, after 16-19
# rounds, in ~12 s; patched, 300 rounds pass in ~3 s.
. "$(dirname "$0")/lib/common.sh"
require
KB_TIMEOUT=60
run_guest_test "-S" exec-exit-race 150 1500
run_guest_test "-S" exec-exit-race 150 1500 leader
expect_grep '^ok - 150 rounds .the leader execs.: exec won' "$GUEST_OUT" \
	"the leader's exec rounds ran"
done_test
