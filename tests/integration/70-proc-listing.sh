#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# /proc lists the guest's processes and the kernel's threads, as on
# Linux, and nothing else: the tasks kbox keeps in lx for itself (its
# root task as pid 1, tasks parked for forks, the tasks of threads) were
# listed as "swapper" processes in state "P (parked)", which ps, pgrep
# and killall then showed.
. "$(dirname "$0")/lib/common.sh"
require

# shellcheck disable=SC2016 # expanded by the guest's shell
kbo "$TMP/out" -R "$IMG" -- /bin/bash -c '
	sleep 2 &
	bg=$!
	python3 -c "import threading, time; [threading.Thread(target=time.sleep, args=(2,)).start() for _ in range(3)]; time.sleep(2)" &
	py=$!
	sleep 0.5
	for p in /proc/[0-9]*; do
		n=${p#/proc/}
		# a kernel worker may end between the listing and the read, as
		# on Linux: only an entry still listed must be readable
		if ! [ -r $p/status ]; then
			ls /proc | grep -qx "$n" && echo "unreadable $n"
			continue
		fi
		ppid=$(awk "/^PPid:/ { print \$2 }" $p/status)
		state=$(awk "/^State:/ { print \$2 }" $p/status)
		comm=$(cat $p/comm)
		if [ "$n" = 2 ] || [ "$ppid" = 2 ]; then
			kthreads=$((kthreads + 1))
		elif kill -0 "$n" 2>/dev/null; then
			echo "guest $n $comm"
		else
			echo "other $n $comm $state"
		fi
	done
	echo "kernel threads ${kthreads:-0}"
	echo "self $$ bg $bg py $py"
	[ -e /proc/1 ] && echo "pid 1 exists" || echo "no pid 1"
	wait'
expect_status 0 $? "the guest runs"
self=$(awk '/^self / { print $2 }' "$TMP/out")
bg=$(awk '/^self / { print $4 }' "$TMP/out")
py=$(awk '/^self / { print $6 }' "$TMP/out")
expect_grep "^guest $self bash$" "$TMP/out" "the shell is listed"
expect_grep "^guest $bg sleep$" "$TMP/out" "its background job is listed"
expect_grep "^guest $py python3$" "$TMP/out" "a threaded process is listed once"
expect_grep '^kernel threads [1-9][0-9]*$' "$TMP/out" "the kernel's threads are listed"
expect_no_grep '^other ' "$TMP/out" "no other task is listed (kbox's own, threads' tasks)"
expect_no_grep '^unreadable ' "$TMP/out" "every listed entry can be read"
expect_grep '^no pid 1$' "$TMP/out" "lx's root task is not pid 1 of the guest"
done_test
