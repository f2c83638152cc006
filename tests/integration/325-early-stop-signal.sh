#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# SIGINT (and SIGTERM, SIGHUP, SIGQUIT) sent to kbox in its first
# milliseconds, whenever it lands (argument parsing, image open, boot, the
# private directory made, the guest started): kbox ends by exiting with
# 128+N, as for a guest the signal killed, after its cleanup: no private
# directory left behind, the image clean, no message. Before: until its
# handlers were set (after the guest started), the default action killed
# kbox itself, no sync, and its private directory stayed for a later
# run's sweep. The guest (sleep 5) cannot end by itself first, so every
# run ends by the signal; the moments are a spread, no timing is asserted.
# A SIGINT blocked at kbox's start stays the guest's (it killed kbox too).
. "$(dirname "$0")/lib/common.sh"
require
require_cmd perl
img=$(realpath "$(own_img)")
td=$TMP/td # the private directory's place ($TMPDIR), the test's own
mkdir "$td" || fail "mkdir $td"

# run SIG MS: start kbox in a process group of its own (the sender is not
# in it, as `kill -INT` from another shell), SIG default; send SIG after
# MS ms; print "exit N" or "killed N", and "main" if kbox had the image
# open by then (it ran its main, which must clean up; a signal before it
# kills the process that is to become kbox, as any program's).
# shellcheck disable=SC2016 # perl code, expanded by perl
run() {
	TMPDIR=$td timeout -k 5 30 perl -MPOSIX -e '
		my ($sig, $ms, $img) = (shift, shift, shift);
		$SIG{$_} = "DEFAULT" for qw(INT QUIT TERM HUP);
		my $p = fork // die "fork: $!";
		if (!$p) { setpgid(0, 0); exec(@ARGV) or POSIX::_exit(126) }
		select(undef, undef, undef, $ms / 1000) if $ms;
		my $main = 0;
		if (opendir(my $d, "/proc/$p/fd")) {
			$main ||= (readlink("/proc/$p/fd/$_") // "") eq $img for readdir($d);
		}
		kill($sig, $p);
		waitpid($p, 0);
		print $? & 127 ? "killed " . ($? & 127) : "exit " . ($? >> 8),
		    $main ? " main" : "", "\n";
	' "$1" "$2" "$img" "$KBOX" -S "$img" -- /bin/sleep 5 \
		</dev/null 2>"$TMP/err"
}

# judge SIG MS: $got is run's line, $TMP/err its messages
judge() {
	local want=$((128 + $(kill -l "$1")))
	case $got in
	"exit $want main") inmain=$((inmain + 1)) ;;
	"exit $want" | "killed $(kill -l "$1")") ;;
	*)
		bad=$((bad + 1))
		[ "$bad" -le 5 ] && echo "    | SIG$1 after $2 ms: $got, want exit $want"
		;;
	esac
	if [ -s "$TMP/err" ]; then
		fail "SIG$1 after $2 ms: kbox said something:"
		sed 's/^/    | /' "$TMP/err" | head -5
	fi
}

bad=0 n=0 inmain=0
for ms in 0 1 2 3 5 8 13 0 1 2 3 5 8 13 6 7 7.5 8.5 9 9.5 10 10.5 11 12 14 16 20; do
	for sig in INT INT TERM; do
		n=$((n + 1))
		got=$(run "$sig" "$ms")
		judge "$sig" "$ms"
	done
done
for sig in HUP QUIT; do
	for ms in 0 3 8; do
		n=$((n + 1))
		got=$(run "$sig" "$ms")
		judge "$sig" "$ms"
	done
done
# SIGINT blocked when kbox starts is the guest's (226): an early one stays
# pending for it, whenever it comes (the old kbox unblocked it and died;
# a guest that waits reads its status after any of them).
for ms in 0 3 8 20; do
	perl -MPOSIX -e '
		my $ms = shift;
		sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGINT));
		my $p = fork // die "fork: $!";
		if (!$p) { setpgid(0, 0); exec(@ARGV) or POSIX::_exit(126) }
		select(undef, undef, undef, $ms / 1000) if $ms;
		kill("INT", $p);
		waitpid($p, 0);
		print "status $?\n";
	' "$ms" "$KBOX" -S "$img" -- /usr/bin/python3 -c \
		'import time; time.sleep(0.2); print(open("/proc/self/status").read())' \
		>"$TMP/blk" 2>&1 </dev/null
	expect_grep '^ShdPnd:[[:space:]]*0*2$' "$TMP/blk" "SIGINT blocked at the start, sent after $ms ms: pending in the guest"
	expect_grep '^status 0$' "$TMP/blk" "... and kbox ends with the guest's status"
done
check "$n early signals: kbox exited with 128+N each time ($bad did not)" test "$bad" -eq 0
check "$inmain of them came while kbox ran its start-up" test "$inmain" -gt 0
left=$(ls -A "$td")
check "no private directory left in \$TMPDIR (${left:-none})" test -z "$left"
e2fsck -fn "$img" >"$TMP/fsck" 2>&1
check "image clean (e2fsck -fn)" test $? -eq 0
done_test
