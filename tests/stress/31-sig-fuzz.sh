#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/sig-fuzz, a differential fuzzer for signals around blocking
# calls (FIFO open/read/write and partial writes, flock, F_SETLKW, OFD
# locks, wait4, sleeps, pause, sigsuspend, ppoll/epoll_pwait masks, unix
# reads, MSG_WAITALL, connect, msgrcv, semop, mq_receive) ended by kill,
# tgkill, sigqueue, stop+cont or timers, with and without SA_RESTART,
# SA_RESETHAND, SA_NODEFER, in processes of one or two threads; and
# siginfo through handlers, sigtimedwait, sigwaitinfo and signalfd (queued
# values, real-time order, SIGCHLD, SIGPIPE, SIGXFSZ, timers). For fixed
# seeds it runs natively (as nobody when run as root), then in the box
# in the image (/var/tmp), lx's tmpfs (/tmp) and a bind, as that user
# (--change-id) and as guest root; every trace must equal the native one.
# -u masks a known gap (docs/supervisor-status.md): senders' si_uid
# under a root kbox with --change-id (-k, the si_code and si_pid of the
# SIGPIPE and SIGXFSZ kbox sent, is no longer needed: 296). It found: a process-directed signal
# failed a call blocked in lx with EINTR despite SA_RESTART whenever the
# process had a second thread, and a stop left such a thread out of the
# group stop (276-mt-signal-restart). SIG_FUZZ_SEEDS, SIG_FUZZ_NOPS.
. "$(dirname "$0")/../integration/lib/common.sh"
require
fz=$BUILD/guest/sig-fuzz
[ -x "$fz" ] || skip "no $fz (make guest-tests)"
SEEDS=${SIG_FUZZ_SEEDS:-1 2}
NOPS=${SIG_FUZZ_NOPS:-40}
SEEDS=$(echo $SEEDS) # one line for the guest script
native_runner "$fz"
b=$TMP/bind
mkdir -p "$b" && chmod 777 "$b"
for s in $SEEDS; do
	native_trace "$TMP/n-$s" "$s" "$fz" "$nat/$s" "$s" "$NOPS" -u
done
script='run() { rm -rf "$1"; mkdir -p "$1" && /opt/kbox-tests/sig-fuzz "$1" "$2" '"$NOPS"' -u; rm -rf "$1"; }
for s in '"$SEEDS"'; do
	for w in /var/tmp /tmp /mnt/b; do echo "==== $s $w"; run $w/sf-$s $s; done
done'
KB_TIMEOUT=150 kbo "$TMP/u.all" -b "$b:/mnt/b" --change-id $uid:$gid -R "$IMG" -- /bin/sh -c "$script"
expect_status 0 $? "sig-fuzz under kbox as $uid"
KB_TIMEOUT=150 kbo "$TMP/r.all" -b "$b:/mnt/b" -S "$IMG" -- /bin/sh -c "$script"
expect_status 0 $? "sig-fuzz under kbox as guest root"
split_traces u r
for s in $SEEDS; do
	grep -q '^sig-fuzz: done$' "$TMP/n-$s" || fail "seed $s: no native trace"
	for w in v t b; do
		for who in u r; do
			same_trace "$TMP/n-$s" "$TMP/$who-$s-$w" "seed $s: $who $w as native"
		done
	done
done
[ "$FAILS" -eq 0 ] && echo PASS || echo FAIL
done_test
