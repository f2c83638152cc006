#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/sigio-host-pgrp, run by a job-control shell that is its
# session's leader (setsid bash, set -m: kbox runs in a group of its own,
# as from an interactive shell). The guest joined the shell's process
# group (setpgid is the host's) and made it a pipe's O_ASYNC owner with
# F_SETSIG SIGUSR1: the shell got the signal. Now EPERM.
. "$(dirname "$0")/lib/common.sh"
require
require_cmd setsid bash
# shellcheck disable=SC2016 # the inner shell expands them
timeout -k 5 "$KB_TIMEOUT" setsid bash -c 'set -m
	trap "echo host shell got SIGUSR1" USR1
	"$@"; echo "kbox status $?"' sh "$KBOX" -S "$IMG" -- \
	/opt/kbox-tests/sigio-host-pgrp >"$TMP/out" 2>&1 </dev/null
sed 's/^/    | /' "$TMP/out" | grep -v '^    | ok'
expect_grep 'kbox status 0' "$TMP/out" "the guest's checks pass"
expect_no_grep 'host shell got' "$TMP/out" "the shell got no signal from the guest"
done_test
