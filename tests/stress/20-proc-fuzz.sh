#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Process-tree differential fuzz: tests/guest/proc-fuzz drives up to 8
# worker processes through FIFOs in a seeded random order (fork, vfork,
# posix_spawn, clone with CLONE_PIDFD, fork+SIGSTOP before the child's
# first call, exec of itself, exits, SIGTERM/SIGKILL/SIGSTOP/SIGCONT/
# SIGUSR1 by kill/tgkill/pidfd_send_signal/kill(-pgrp), handled, ignored
# and blocked dispositions, SIGCHLD SA_SIGINFO/SA_NOCLDSTOP/SA_NOCLDWAIT/
# SIG_IGN, waitpid/waitid/wait4 variants, setpgid/setsid, subreapers,
# PR_SET_PDEATHSIG, threads, /proc/<pid>/stat snapshots) and prints a
# trace with pids as ordinals. It runs natively first (as nobody when
# root; it signals only processes it made, checked through pidfds) and
# then under kbox as root in the image and as user 1000; the traces must
# be equal. PROC_FUZZ_SEED (default 500) and PROC_FUZZ_SEEDS (8) pick the
# seeds, PROC_FUZZ_NOPS (100) their length.
. "$(dirname "$0")/../integration/lib/common.sh"
require
fz=$BUILD/guest/proc-fuzz
[ -x "$fz" ] || skip "no $fz (make guest-tests)"
img_has "$IMG" /opt/kbox-tests/proc-fuzz || skip "no proc-fuzz in the image (make rootfs)"
img_cat "$IMG" /opt/kbox-tests/proc-fuzz | cmp -s - "$fz" ||
	skip "the image's proc-fuzz is not $fz (make rootfs)"
seed=${PROC_FUZZ_SEED:-500}
n=${PROC_FUZZ_SEEDS:-8}
ops=${PROC_FUZZ_NOPS:-100}
echo "  seeds $seed..$((seed + n - 1)), $ops ops each (PROC_FUZZ_SEED=$seed to repeat)"

nd=$(mktemp -d /tmp/kbox-proc-fuzz.XXXXXX) || exit 1
trap 'rm -rf "$nd"; cleanup' EXIT
chmod 755 "$nd"
cp "$fz" "$nd/proc-fuzz"
mkdir "$nd/nat"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	chown 65534:65534 "$nd/nat"
	timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$nd/proc-fuzz" "$nd/nat" "$seed" "$n" "$ops" >"$TMP/native" 2>&1 </dev/null
else
	timeout 60 "$nd/proc-fuzz" "$nd/nat" "$seed" "$n" "$ops" >"$TMP/native" 2>&1 </dev/null
fi
expect_status 0 $? "native run"
check "native run: every seed ended" test "$(grep -c '^== end .* ok' "$TMP/native")" -eq "$n"

KB_TIMEOUT=120
img=$(own_img)
compare() { # WHAT DIR KBOX-OPTS...
	local what=$1 dir=$2
	shift 2
	kbo "$TMP/kb.$what" "$@" "$img" -- /bin/sh -c \
		"mkdir -p $dir && exec /opt/kbox-tests/proc-fuzz $dir $seed $n $ops"
	expect_status 0 $? "kbox run ($what)"
	if diff -q "$TMP/native" "$TMP/kb.$what" >/dev/null; then
		pass "$what: trace equals the native one ($(wc -l <"$TMP/native") lines)"
	else
		fail "$what: trace differs from the native one; first difference:"
		diff "$TMP/native" "$TMP/kb.$what" | head -12 | sed 's/^/    | /'
		s=$(diff "$TMP/native" "$TMP/kb.$what" | head -1 | sed 's/[acd,].*//')
		echo "    in $(head -n "$s" "$TMP/native" | grep '^== seed' | tail -1)"
	fi
}
compare root-ext4 /root/pfz -S
compare user-tmp /tmp/pfz --change-id 1000:1000 -R
no_leftovers "$img"
[ "$FAILS" -eq 0 ] && echo PASS || echo FAIL
done_test
