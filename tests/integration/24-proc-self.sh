#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A guest process sees itself in /proc under its own pid ($$ / getpid(),
# host pids that the kernel's /proc does not know) as under /proc/self,
# and /proc/self/comm names the program it runs, as execve sets it.
. "$(dirname "$0")/lib/common.sh"
require

# shellcheck disable=SC2016 # expanded by the guest's shell
kbo "$TMP/out" -S "$IMG" -- /bin/bash -c '
	exec 7</etc/hostname
	echo "fd7=$(readlink /proc/self/fd/7)"
	read -r a b </proc/$$/status; echo "status=$a $b"
	read -r c </proc/$$/comm; echo "comm=$c"
	echo "child=$(cat /proc/self/comm)"'
expect_status 0 $? "bash reading /proc/\$\$"
expect_grep '^fd7=/etc/hostname$' "$TMP/out" "readlink /proc/self/fd/7"
expect_grep '^status=Name: bash$' "$TMP/out" "/proc/\$\$/status names bash"
expect_grep '^comm=bash$' "$TMP/out" "/proc/\$\$/comm"
expect_grep '^child=cat$' "$TMP/out" "a child's /proc/self/comm after exec"

kbo "$TMP/py" -S "$IMG" -- /usr/bin/python3 -c '
import os
p = os.getpid()
fd = os.open("/etc/hostname", os.O_RDONLY)
print("same", sorted(os.listdir("/proc/%d/fd" % p)) == sorted(os.listdir("/proc/self/fd")))
print("link", os.readlink("/proc/%d/fd/%d" % (p, fd)))'
expect_status 0 $? "python3 listing /proc/<getpid()>/fd"
expect_grep '^same True$' "$TMP/py" "/proc/<pid>/fd lists what /proc/self/fd lists"
expect_grep '^link /etc/hostname$' "$TMP/py" "/proc/<pid>/fd/N names the file"
done_test
