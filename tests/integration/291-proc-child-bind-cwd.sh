#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/procfs-edges cwd: readlink of another process's
# /proc/<pid>/cwd when that cwd is in a bind names it; lx's task stays
# where it was and said "/" (found by tests/guest/procfs-fuzz).
. "$(dirname "$0")/lib/common.sh"
require
mkdir -p "$TMP/b" && chmod 777 "$TMP/b"
run_guest_test "-b $TMP/b:/mnt/b -S" procfs-edges cwd /mnt/b
run_guest_test "-b $TMP/b:/mnt/b --change-id 1000:1000 -R" procfs-edges cwd /mnt/b
done_test
