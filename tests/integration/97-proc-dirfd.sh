#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Files of /proc/<pid> read relative to a /proc or /proc/<pid> directory
# fd (as htop reads them) are the process's, as by their absolute paths:
# they were lx's tasks, which have no memory (statm zeros, state P, no
# cmdline), and htop showed 0 for every process's memory.
. "$(dirname "$0")/lib/common.sh"
require
kbo "$TMP/out" -S "$IMG" -- /usr/bin/python3 -c '
import os
p = os.getpid()
d = os.open("/proc/%d" % p, os.O_RDONLY)
at = lambda fd: (lambda n, f: os.open(n, f, dir_fd=fd))
print("statm", int(open("statm", opener=at(d)).read().split()[0]) > 0)
print("cmdline", open("cmdline", opener=at(d)).read().startswith("/usr/bin/python3"))
pr = os.open("/proc", os.O_RDONLY)
print("state", open("%d/stat" % p, opener=at(pr)).read().split()[2])'
expect_status 0 $? "reading /proc relative to directory fds"
expect_grep '^statm True$' "$TMP/out" "statm relative to /proc/<pid>: its memory"
expect_grep '^cmdline True$' "$TMP/out" "cmdline: its command line"
expect_grep '^state R$' "$TMP/out" "<pid>/stat relative to /proc: running"
done_test
