#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Growth with work done: tests/guest/leak-probe runs one workload (fork
# and exec, a process tree killed with SIGKILL, files created and
# removed, pipes, unix sockets on image paths, shared maps of an image
# file, threads, signals, inotify, locks, SysV IPC, POSIX mqueues, execs
# from a bind, ptys, fds passed over sockets, eventfd/timerfd/signalfd/
# memfd/epoll/O_PATH fds, children killed asleep in lx, chroots) in
# batches; after each it drops lx's caches, prints lx's
# counters and waits while this script samples kbox on the host (child
# processes, fds, threads, RSS). From the first batch (caches warm) to
# the last, nothing may grow past a margin: kbox's fds and threads, lx's
# dentries, inodes, unreclaimable slab and tasks, kbox's RSS; and kbox may
# hold no pile of zombies. Orphans kbox adopted were reaped on an idle
# tick only: with a process tree killed each round, kbox's zombies grew
# by one a round (300 at the end of a batch) and every sweep slowed.
# LEAK_ROUNDS scales the rounds.
. "$(dirname "$0")/../integration/lib/common.sh"
require
img_has "$IMG" /opt/kbox-tests/leak-probe || skip "no leak-probe in the image (make rootfs)"
SCALE=${LEAK_ROUNDS:-1}
# an ASAN build (make MODE=debug) keeps freed memory in quarantine, up to
# 256 MiB: its RSS grows with any work, so only its other counters count
rss_lim=32768
grep -q __asan_init "$KBOX" && rss_lim=1000000000
bind=$TMP/bind
mkdir -p "$bind" && chmod 777 "$bind"

# probe WORK ROUNDS BATCHES GUESTDIR: one kbox run; $TMP/WORK.g holds
# the guest's batch lines, $TMP/WORK.h the host samples, one a batch
probe() {
	local w=$1 r=$(($2 * SCALE)) b=$3 gd=$4 ctl=$TMP/ctl-$1 n=0 kp='' tp s
	mkdir -p "$ctl" && chmod 777 "$ctl"
	: >"$TMP/$w.h"
	timeout -k 5 "$KB_TIMEOUT" "$KBOX" -b "$ctl:/ctl" -b "$bind:/mnt/b" -S "$IMG" -- \
		/bin/sh -c "mkdir -p $gd && cp /bin/true $gd/prog && /opt/kbox-tests/leak-probe $w $r $b $gd /ctl" \
		>"$TMP/$w.g" 2>&1 </dev/null &
	tp=$!
	while kill -0 "$tp" 2>/dev/null; do
		[ -n "$kp" ] || kp=$(kbox_pid_of "$tp")
		if [ -n "$kp" ] && [ -e "$ctl/req.$n" ]; then
			s=/proc/$kp/status
			# shellcheck disable=SC2009 # zombies: pgrep cannot select a state
			echo "$(ps --ppid "$kp" -o stat= | grep -c Z)" \
				"$(fd_count "$kp")" \
				"$(awk '/^Threads:/ {print $2}' "$s")" \
				"$(awk '/^VmRSS:/ {print $2}' "$s")" >>"$TMP/$w.h"
			touch "$ctl/ack.$n"
			n=$((n + 1))
		fi
		sleep 0.02
	done
	wait "$tp"
	expect_status 0 $? "$w: $r rounds x $b"
	grep -q '^leak-probe: done$' "$TMP/$w.g" || {
		fail "$w: leak-probe did not finish"
		sed 's/^/    | /' "$TMP/$w.g" | head -5
	}
	[ "$(wc -l <"$TMP/$w.h")" -eq $((b + 1)) ] || fail "$w: $(wc -l <"$TMP/$w.h") samples, want $((b + 1))"
}

# grow WORK: compare the first batch with the last
grow() {
	local w=$1 g1 gl h1 hl
	g1=$(sed -n 's/^batch 1: //p' "$TMP/$w.g")
	gl=$(grep '^batch ' "$TMP/$w.g" | tail -1 | sed 's/^batch [0-9]*: //')
	h1=$(sed -n 2p "$TMP/$w.h")
	hl=$(tail -1 "$TMP/$w.h")
	[ -n "$g1" ] && [ -n "$h1" ] || return
	# zombies at any batch's end, fds, threads, RSS in KiB
	awk -v w="$w" -v a="$h1" -v b="$hl" -v rl="$rss_lim" -v all="$(awk '$1 > z {z = $1} END {print z + 0}' "$TMP/$w.h")" 'BEGIN {
		split(a, x, " "); split(b, y, " "); bad = 0
		if (all > 16) { print "FAIL: " w ": kbox held " all " zombies at a batch end"; bad++ }
		if (y[2] - x[2] > 4) { print "FAIL: " w ": kbox fds " x[2] " -> " y[2]; bad++ }
		if (y[3] - x[3] > 4) { print "FAIL: " w ": kbox threads " x[3] " -> " y[3]; bad++ }
		if (y[4] - x[4] > rl) { print "FAIL: " w ": kbox RSS " x[4] " -> " y[4] " KiB"; bad++ }
		exit bad }' || FAILS=$((FAILS + 1))
	awk -v w="$w" -v a="$g1" -v b="$gl" 'BEGIN {
		n = split(a, x, "[ =]"); split(b, y, "[ =]"); bad = 0
		for (i = 1; i < n; i += 2) {
			d = y[i + 1] - x[i + 1]
			lim = x[i] == "slab_u" ? 256 : x[i] == "tasks" ? 3 : 64
			if ((x[i] == "slab_u" || x[i] == "dentries" || x[i] == "inodes" || x[i] == "files" || x[i] == "tasks") && d > lim) {
				print "FAIL: " w ": lx " x[i] " " x[i + 1] " -> " y[i + 1]; bad++
			}
		}
		exit bad }' || FAILS=$((FAILS + 1))
	pass "$w: $(tr '\n' '|' <"$TMP/$w.h")"
}

for spec in "killtree 300 3 /var/tmp/lp" "forkexec 300 3 /var/tmp/lp" \
	"exec 200 3 /mnt/b/lp" "mkrm 1000 3 /var/tmp/lp" "pipes 1000 3 /tmp/lp" \
	"unix 500 3 /var/tmp/lp" "shmap 500 3 /var/tmp/lp" "threads 500 3 /tmp/lp" \
	"signals 500 3 /tmp/lp" "inotify 500 3 /var/tmp/lp" "locks 1000 3 /var/tmp/lp" \
	"sysv 1000 3 /tmp/lp" "mqueue 1000 3 /tmp/lp" "ptys 300 3 /tmp/lp" \
	"fdpass 500 3 /var/tmp/lp" "fdkinds 500 3 /tmp/lp" \
	"killblocked 100 3 /var/tmp/lp" "chdir 200 3 /var/tmp/lp"; do
	# shellcheck disable=SC2086
	probe $spec
	grow "${spec%% *}"
done
done_test
