#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/inotify-fionread: FIONREAD of an inotify instance counts the
# events of its watches on binds (kept in kbox's paired host instance,
# returned by read()) as well as lx's: it said 0 for them, and
# inotifywait, which waits until FIONREAD covers an event, never
# reported anything that happened in a bind.
. "$(dirname "$0")/lib/common.sh"
require
b=$TMP/b
mkdir -p "$b" && chmod 777 "$b"
run_guest_test "-b $b:/mnt/b -0 -r" inotify-fionread /mnt/b /tmp
done_test
