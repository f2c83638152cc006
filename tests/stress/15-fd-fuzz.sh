#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# fd-table differential fuzz: tests/guest/fd-fuzz runs a seeded random
# sequence of fd operations (open/openat/O_TMPFILE, pipes, sockets,
# eventfd/memfd/epoll/inotify/timerfd/signalfd, dup/dup2/dup3, F_DUPFD,
# F_SETFD/F_SETFL, close/close_range, lseek/read/write on shared
# descriptions, fork, execve of itself) and prints the fd table after
# each. It runs natively first (as nobody when root) and then under kbox,
# as root in the image (ext4) and as user 1000 in lx's /tmp; the traces
# must be equal. Left out (NOFLAGS 1), as a known difference: O_PATH
# opens (a host object's cannot be installed in the guest); as root also
# opens of /proc/self/fd/N (NOFLAGS 5: root's reopen of an anonymous
# inode is ENXIO where the native run's nobody gets EACCES).
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
# native NOFLAGS: the trace of the seeds, natively (as nobody when root)
native() {
	rm -rf "$nd/nat" && mkdir "$nd/nat" || return 1
	if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
		chown 65534:65534 "$nd/nat"
		(cd "$nd/nat" && timeout 60 setpriv --reuid=65534 --regid=65534 \
			--clear-groups "$nd/fd-fuzz" "$nd/nat" "$seed" "$n" "$ops" "$1")
	else
		(cd "$nd/nat" && timeout 60 "$nd/fd-fuzz" "$nd/nat" "$seed" "$n" "$ops" "$1")
	fi >"$TMP/native.$1" 2>&1 </dev/null
	expect_status 0 $? "native run (NOFLAGS $1)"
	check "native run (NOFLAGS $1): every seed ended" \
		test "$(grep -c '== end' "$TMP/native.$1")" -eq "$n"
}
native 1
native 5

img=$(own_img)
compare() { # WHAT DIR NOFLAGS KBOX-OPTS...
	local what=$1 dir=$2 nf=$3 nat
	shift 3
	nat=$TMP/native.$nf
	kbo "$TMP/kb.$what" "$@" "$img" -- /bin/sh -c \
		"mkdir -p $dir && exec /opt/kbox-tests/fd-fuzz $dir $seed $n $ops $nf"
	expect_status 0 $? "kbox run ($what)"
	if diff -q "$nat" "$TMP/kb.$what" >/dev/null; then
		pass "$what: trace equals the native one ($(wc -l <"$nat") lines)"
	else
		fail "$what: trace differs from the native one; first difference:"
		diff "$nat" "$TMP/kb.$what" | head -12 | sed 's/^/    | /'
		s=$(diff "$nat" "$TMP/kb.$what" | head -1 | sed 's/[acd,].*//')
		echo "    in $(head -n "$s" "$nat" | grep '^== seed' | tail -1)"
	fi
}
# root's reopen of an eventfd is ENXIO, nobody's EACCES: not as root
compare root-ext4 /root/fz 5 -S
compare user-tmp /tmp/fz 1 --change-id 1000:1000 -R
no_leftovers "$img"
[ "$FAILS" -eq 0 ] && echo PASS || echo FAIL
done_test
