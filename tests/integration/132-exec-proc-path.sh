#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/exec-proc-path: posix_spawn and vfork+execve of
# /proc/self/exe, /proc/<pid>/exe and /proc/self/root/<path> keep the
# caller's path string and the bytes after it (kbox wrote its alias over
# a shorter string and put the rewritten path back: "/usr//self/exe",
# then ENOENT or a crash), and the child's comm is "exe" as on Linux
# (busybox's standalone shell applets showed as "busybox").
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" exec-proc-path
run_guest_test "-R" exec-proc-path
done_test
