#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/tty-fuzz, a differential fuzzer for terminals and job
# control on pty pairs it makes (posix_openpt, /dev/ptmx, TIOCGPTN,
# TIOCGPTPEER, the slave by path; fstat, ttyname, fd links, isatty;
# TIOCEXCL), sessions and groups (setsid, TIOCSCTTY with and without its
# steal argument, TIOCNOTTY, /dev/tty, tcgetpgrp/tcsetpgrp, tcgetsid,
# TIOCGSID), background groups reading and writing (TOSTOP, SIGTTOU,
# SIGTTIN, EIO when orphaned or ignored), SIGHUP and SIGCONT to orphaned
# stopped groups, hangups on either end's close, termios round trips and
# VMIN/VTIME reads, window sizes and SIGWINCH, packet mode. For fixed
# seeds it runs natively (as nobody when run as root), then in the box
# in the image (/var/tmp), lx's tmpfs (/tmp) and a bind, as that user
# (--change-id) and as guest root; every trace must equal the native one
# (guest root's with -p, which leaves out what privilege decides).
# -r and -t mask known gaps (docs/supervisor-status.md): a session leader
# never takes a terminal by opening it, and an fd of /dev/tty is the
# terminal's own node. It found, for a guest user of a root kbox: opens
# of a terminal set TIOCEXCL succeeded (282-tty-excl), and the slave of a
# pty made by reopening a master through /proc/self/fd was root's
# (283-ptmx-reopen). TTY_FUZZ_SEEDS, TTY_FUZZ_NOPS.
. "$(dirname "$0")/../integration/lib/common.sh"
require
fz=$BUILD/guest/tty-fuzz
[ -x "$fz" ] || skip "no $fz (make guest-tests)"
SEEDS=${TTY_FUZZ_SEEDS:-3 5}
NOPS=${TTY_FUZZ_NOPS:-25}
SEEDS=$(echo $SEEDS) # one line for the guest script
native_runner "$fz"
b=$TMP/bind
mkdir -p "$b" && chmod 777 "$b"
for s in $SEEDS; do
	for p in "" -p; do
		mkdir "$nat/$s$p" && chown "$uid:$gid" "$nat/$s$p"
		# shellcheck disable=SC2086 # $p: no flag or one
		(cd "$nat/$s$p" && timeout 60 "${as_user[@]}" "$fz" "$nat/$s$p" "$s" "$NOPS" -r -t $p) \
			>"$TMP/n-$s$p" 2>&1 </dev/null || fail "seed $s: native run failed"
	done
done
script() {
	echo 'run() { rm -rf "$1"; mkdir -p "$1" && /opt/kbox-tests/tty-fuzz "$1" "$2" '"$NOPS"' -r -t '"${1:-}"'; rm -rf "$1"; }
for s in '"$SEEDS"'; do
	for w in /var/tmp /tmp /mnt/b; do echo "==== $s $w"; run $w/tf-$s $s; done
done'
}
KB_TIMEOUT=150 kbo "$TMP/u.all" -b "$b:/mnt/b" --change-id $uid:$gid -R "$IMG" -- /bin/sh -c "$(script)"
expect_status 0 $? "tty-fuzz under kbox as $uid"
KB_TIMEOUT=150 kbo "$TMP/r.all" -b "$b:/mnt/b" -S "$IMG" -- /bin/sh -c "$(script -p)"
expect_status 0 $? "tty-fuzz under kbox as guest root"
split_traces u r
for s in $SEEDS; do
	for who in u r; do
		ref=$TMP/n-$s
		[ $who = r ] && ref=$TMP/n-$s-p
		grep -q '^tty-fuzz: done$' "$ref" || fail "seed $s: no native trace"
		for w in v t b; do
			same_trace "$ref" "$TMP/$who-$s-$w" "seed $s: $who $w as native"
		done
	done
done
[ "$FAILS" -eq 0 ] && echo PASS || echo FAIL
done_test
