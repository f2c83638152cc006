#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/spawn-path: after posix_spawn or vfork+execve the parent's
# path string is its own at once (it read kbox's exec alias, "d4/sh",
# until its next supervised call: GNU make reported "make: d4/sh: No such
# file or directory" for recipes exiting 127), also for scripts, relative
# paths and two threads spawning.
. "$(dirname "$0")/lib/common.sh"
require
mkdir -p "$TMP/b"
printf '#!/bin/sh\nexit 0\n' >"$TMP/b/ok.sh"
chmod 755 "$TMP/b/ok.sh"
run_guest_test "-b $TMP/b:/mnt/b -S" spawn-path /mnt/b/ok.sh
done_test
