#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/ioctl-fuzz, a differential fuzzer for ioctl and fcntl on
# every kind of file (a file, directory and FIFO of the tree; /dev nodes,
# a pty pair, /proc and /sys files, a pipe, sockets, a memfd, an eventfd):
# for fixed seeds it runs natively (as nobody when run as root) with its
# tree on ext4 (/tmp) and on tmpfs (/dev/shm), then in the box as the
# same kind of user with its tree in the image (/var/tmp), in lx's tmpfs
# (/tmp) and in a bind; each trace must equal the native one on the same
# kind of file system ("X " lines, which depend on ext4's features, left
# out). As guest root the three places are compared with each other (a
# native root would act on the host): the image and the bind whole, lx's
# tmpfs without the file-system-dependent "F " lines. IOCTL_FUZZ_SEEDS,
# IOCTL_FUZZ_NOPS to try others.
. "$(dirname "$0")/../integration/lib/common.sh"
require
fz=$BUILD/guest/ioctl-fuzz
[ -x "$fz" ] || skip "no $fz (make guest-tests)"
SEEDS=${IOCTL_FUZZ_SEEDS:-$(seq 1 12)}
NOPS=${IOCTL_FUZZ_NOPS:-400}
SEEDS=$(echo $SEEDS) # one line for the guest script
# and on a host tmpfs too, where there is one
shm=
native_runner "$fz" 'rm -rf ${shm:+"$shm"}'
if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then
	shm=$(mktemp -d /dev/shm/kbox-ioctl-fuzz.XXXXXX) || fail "mktemp"
	chmod 755 "$shm"
fi
for s in $SEEDS; do
	for k in e t; do
		d=$nat/$s
		[ $k = t ] && { [ -n "$shm" ] || continue; d=$shm/$s; }
		mkdir "$d" && chown "$uid:$gid" "$d"
		(cd "$d" && timeout 20 "${as_user[@]}" "$fz" "$d" "$s" "$NOPS") \
			>"$TMP/n-$s-$k" 2>&1 || fail "seed $s: native run ($k) failed"
	done
done
b=$TMP/bind
mkdir -p "$b" && chmod 777 "$b"
script='run() { rm -rf "$1"; mkdir -p "$1" && cd "$1" && /opt/kbox-tests/ioctl-fuzz "$1" "$2" '"$NOPS"'; cd /; chmod -R u+rwX "$1"; rm -rf "$1"; }
for s in '"$SEEDS"'; do
	for w in /var/tmp /tmp /mnt/b; do echo "==== $s $w"; run $w/if-$s $s; done
done'
KB_TIMEOUT=120 kbo "$TMP/u.all" -b "$b:/mnt/b" --change-id $uid:$gid -R "$IMG" -- /bin/sh -c "$script"
expect_status 0 $? "ioctl-fuzz under kbox as $uid"
KB_TIMEOUT=120 kbo "$TMP/r.all" -b "$b:/mnt/b" -S "$IMG" -- /bin/sh -c "$script"
expect_status 0 $? "ioctl-fuzz under kbox as guest root"
split_traces u r
# same FILE1 FILE2 WHAT [PATTERN]: equal without the lines PATTERN matches
same() {
	local pat=${4:-^X }
	if [ -f "$1" ] && [ -f "$2" ] && grep -q '^0 end$' "$2" &&
		cmp -s <(grep -v "$pat" "$1") <(grep -v "$pat" "$2"); then
		pass "$3"
	else
		diff <(grep -v "$pat" "$1" 2>&1) <(grep -v "$pat" "$2" 2>&1) |
			head -10 | sed 's/^/    | /'
		fail "$3 differs"
	fi
}
for s in $SEEDS; do
	same "$TMP/n-$s-e" "$TMP/u-$s-v" "seed $s: user in the image as native ext4"
	same "$TMP/n-$s-e" "$TMP/u-$s-b" "seed $s: user in a bind as native ext4"
	[ -n "$shm" ] &&
		same "$TMP/n-$s-t" "$TMP/u-$s-t" "seed $s: user in lx's tmpfs as native tmpfs"
	same "$TMP/r-$s-v" "$TMP/r-$s-t" "seed $s: root in lx's tmpfs as in the image" '^[FX] '
	# a rootless kbox's guest root is the user in a bind
	[ "$(id -u)" = 0 ] &&
		same "$TMP/r-$s-v" "$TMP/r-$s-b" "seed $s: root in a bind as in the image"
done
[ "$FAILS" -eq 0 ] && echo PASS || echo FAIL
done_test
