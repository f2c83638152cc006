#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Guest processes appear in /proc under the pids kill() and $! use: ps and
# pidof find them, /proc/<pid> of another guest process exists, and the
# entries that describe a running process (cmdline, maps, stat, task/) are
# real, while the credentials in status are the guest's. Host processes
# outside the guest (kbox itself) are not reachable through /proc.
. "$(dirname "$0")/lib/common.sh"
require

# shellcheck disable=SC2016 # expanded by the guest's shell
kbo "$TMP/out" -R "$IMG" --change-id 1000:1000 -- /bin/bash -c '
	sleep 30 &
	s=$!
	# until the child runs sleep (before its exec it is bash, natively too)
	for i in $(seq 100); do
		[ "$(cat /proc/$s/comm)" = sleep ] && break
		sleep 0.05
	done
	echo "pidof=$(busybox pidof sleep) bang=$s"
	busybox ps | awk -v s="$s" "\$1 == s { print \"ps=\" \$3, \$4 }"
	[ -d /proc/$s ] && echo "procdir=yes"
	echo "comm=$(cat /proc/$s/comm)"
	echo "cmdline=$(tr "\0" " " </proc/$s/cmdline)"
	echo "exe=$(readlink /proc/$s/exe)"
	read -r pid comm state ppid rest </proc/$s/stat
	echo "statppid=$((ppid == $$))"
	echo "statusppid=$(awk "/^PPid:/ { print (\$2 == $$) }" /proc/$s/status)"
	echo "uid=$(awk "/^Uid:/ { print \$2 }" /proc/self/status)"
	echo "capeff=$(awk "/^CapEff:/ { print \$2 }" /proc/self/status)"
	echo "threads=$(awk "/^Threads:/ { print \$2 }" /proc/self/status)"
	echo "maps=$(grep -c . /proc/self/maps)"
	echo "task=$(ls /proc/$$/task)" "self=$$"
	kill $s
	wait $s
	[ -e /proc/$s ] || echo "gone=yes"
	cat /proc/$PPID/environ >/dev/null 2>&1 || echo "host-hidden=yes"'
expect_status 0 $? "a shell looking at its children in /proc"
if grep -q '^pidof=\([0-9]*\) bang=\1$' "$TMP/out"; then
	pass "pidof finds \$! under its own number"
else
	fail "pidof finds \$! under its own number" "$TMP/out"
fi
expect_grep '^ps=sleep 30$' "$TMP/out" "busybox ps lists \$! with its command line"
expect_grep '^procdir=yes$' "$TMP/out" "/proc/\$! exists"
expect_grep '^comm=sleep$' "$TMP/out" "/proc/\$!/comm"
expect_grep '^cmdline=sleep 30 $' "$TMP/out" "/proc/\$!/cmdline is the guest's argv"
expect_grep '^exe=/usr/bin/sleep$' "$TMP/out" "/proc/\$!/exe is the image path"
expect_grep '^statppid=1$' "$TMP/out" "/proc/\$!/stat: the parent is \$\$"
expect_grep '^statusppid=1$' "$TMP/out" "/proc/\$!/status: PPid is \$\$"
expect_grep '^uid=1000$' "$TMP/out" "status Uid is the guest's identity"
expect_grep '^capeff=0000000000000000$' "$TMP/out" "status CapEff is the guest's"
expect_grep '^threads=1$' "$TMP/out" "status Threads comes from the running process"
expect_no_grep '^maps=0$' "$TMP/out" "/proc/self/maps lists mappings"
if grep -q '^task=\([0-9]*\) self=\1$' "$TMP/out"; then
	pass "/proc/\$\$/task lists the shell's thread"
else
	fail "/proc/\$\$/task lists the shell's thread" "$TMP/out"
fi
expect_grep '^gone=yes$' "$TMP/out" "a reaped child leaves /proc"
expect_grep '^host-hidden=yes$' "$TMP/out" "kbox's own /proc entry is not the host's"

# A multi-threaded guest: every thread's entries, by tid
kbo "$TMP/py" -S "$IMG" -- /usr/bin/python3 -c '
import os, threading
ev = threading.Event()
t = threading.Thread(target=ev.wait); t.start()
tids = sorted(os.listdir("/proc/self/task"))
print("ntasks", len(tids))
print("tidstat", all(open("/proc/self/task/%s/stat" % x).read().split()[0] == x for x in tids))
print("tidfd", os.listdir("/proc/self/task/%s/fd" % tids[-1]) == os.listdir("/proc/self/fd"))
ev.set(); t.join()'
expect_status 0 $? "python3 with two threads reading /proc/self/task"
expect_grep '^ntasks 2$' "$TMP/py" "/proc/self/task lists both threads"
expect_grep '^tidstat True$' "$TMP/py" "/proc/self/task/<tid>/stat is that thread's"
expect_grep '^tidfd True$' "$TMP/py" "/proc/self/task/<tid>/fd is the process's fd table"
done_test
