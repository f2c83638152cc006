#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# fd-table differential fuzz: tests/guest/fd-fuzz runs a seeded random
# sequence of fd operations (open/openat/O_TMPFILE, pipes, sockets,
# eventfd/memfd/epoll/inotify/timerfd/signalfd, dup/dup2/dup3, F_DUPFD,
# F_SETFD/F_SETFL, close/close_range, lseek/read/write on shared
# descriptions, fork, execve of itself) and prints the fd table after
# each. It runs natively first (as nobody when root) and then under kbox,
# as root in the image (ext4) and as user 1000 in lx's /tmp; the traces
# must be equal. Left out (NOFLAGS 13), as known differences: O_PATH
# opens, opens of /proc/self/fd/N, and path opens and execve with fewer
# than 3 numbers free below RLIMIT_NOFILE (natively an open there says
# EMFILE before the path's own error; kbox's exec needs free numbers).
# FD_FUZZ_SEED (default 1000, fixed so that a run is repeatable) and
# FD_FUZZ_SEEDS (40) pick the seeds.
. "$(dirname "$0")/../integration/lib/common.sh"
require
fz=$BUILD/guest/fd-fuzz
[ -x "$fz" ] || skip "no $fz (make guest-tests)"
img_has "$IMG" /opt/kbox-tests/fd-fuzz || skip "no fd-fuzz in the image (make rootfs)"
# the native and the guest run must be the same program
img_cat "$IMG" /opt/kbox-tests/fd-fuzz | cmp -s - "$fz" ||
	skip "the image's fd-fuzz is not $fz (make rootfs)"
seed=${FD_FUZZ_SEED:-1000}
n=${FD_FUZZ_SEEDS:-40}
ops=80
echo "  seeds $seed..$((seed + n - 1)), $ops ops each (FD_FUZZ_SEED=$seed to repeat)"

# nobody must reach it: not under the runner's private directory
nd=$(mktemp -d /tmp/kbox-fd-fuzz.XXXXXX) || exit 1
trap 'rm -rf "$nd"; cleanup' EXIT
chmod 755 "$nd"
cp "$fz" "$nd/fd-fuzz"
mkdir "$nd/nat"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	chown 65534:65534 "$nd/nat"
	(cd "$nd/nat" && timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$nd/fd-fuzz" "$nd/nat" "$seed" "$n" "$ops" 13) >"$TMP/native" 2>&1 </dev/null
else
	(cd "$nd/nat" && timeout 60 "$nd/fd-fuzz" "$nd/nat" "$seed" "$n" "$ops" 13) \
		>"$TMP/native" 2>&1 </dev/null
fi
expect_status 0 $? "native run"
check "native run: every seed ended" test "$(grep -c '== end' "$TMP/native")" -eq "$n"

img=$(own_img)
compare() { # WHAT DIR KBOX-OPTS...
	local what=$1 dir=$2
	shift 2
	kbo "$TMP/kb.$what" "$@" "$img" -- /bin/sh -c \
		"mkdir -p $dir && exec /opt/kbox-tests/fd-fuzz $dir $seed $n $ops 13"
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
compare root-ext4 /root/fz -S
compare user-tmp /tmp/fz --change-id 1000:1000 -R
no_leftovers "$img"
[ "$FAILS" -eq 0 ] && echo PASS || echo FAIL
done_test
