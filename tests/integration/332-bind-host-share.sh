#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A file in a bind shared by a host process and a guest, and by two
# kboxes at once (read-only runs of one image), behaves as between two
# host processes: flock, POSIX and OFD locks conflict both ways, and
# F_GETLK sees the holder; a MAP_SHARED map is coherent both ways (and
# with read()); a FIFO there carries data both ways, with ENXIO for a
# non-blocking writer without a reader and EOF at the writer's close.
# tests/guest/bind-host-share is run natively and in the guest from the
# bind. As the test's user and, under root, rootless as 65534.
. "$(dirname "$0")/lib/common.sh"
require
prog=$BUILD/guest/bind-host-share
[ -x "$prog" ] || skip "$prog missing (make guest-tests)"

# one_run TAG DIR [PREFIX...]: DIR at /mnt/w, the image beside it, host
# sides under PREFIX, kbox under KB_WRAP (kbo puts it first)
one_run() {
	local tag=$1 b=$2 img=$2.img kp
	shift 2
	cp --sparse=always "$IMG" "$img" && mkdir -p "$b" && chmod 777 "$b"
	[ "$#" -gt 0 ] && chown 65534:65534 "$img"
	cp "$prog" "$b/share" && chmod 755 "$b/share"

	# hold_try NAME HOLDER TRIER: each "h" (host) or "g" (guest)
	hold_try() {
		local name=$1 f=$b/$1
		rm -f "$f" "$f.held" "$f.stop"
		# the trier may be guest user 1000 under a root kbox
		touch "$f" && chmod 666 "$f"
		if [ "$2" = h ]; then
			"${pre[@]}" "$b/share" hold "$f" >"$TMP/$tag-$name-hold.out" 2>&1 &
		else
			kbo "$TMP/$tag-$name-hold.out" -m ro -S "$img" -b "$b:/mnt/w" -- /mnt/w/share hold "/mnt/w/$name" &
		fi
		kp=$!
		if [ "$3" = h ]; then
			"${pre[@]}" "$b/share" try "$f" >"$TMP/$tag-$name-try.out" 2>&1
		else
			kbo "$TMP/$tag-$name-try.out" -m ro --change-id 1000:1000 -R "$img" -b "$b:/mnt/w" -- /mnt/w/share try "/mnt/w/$name"
		fi
		expect_status 0 $? "$tag $name: the trier's locks conflict as natively"
		wait "$kp"
		expect_status 0 $? "$tag $name: the holder"
		grep -h FAIL "$TMP/$tag-$name-"*.out | sed 's/^/    | /'
	}
	pre=("$@")
	hold_try lk-hg h g
	hold_try lk-gh g h
	hold_try lk-gg g g

	# map_pair NAME SIDE1 SIDE2
	map_pair() {
		local name=$1 f=$b/$1
		rm -f "$f" && truncate -s 4096 "$f" && chmod 666 "$f"
		if [ "$2" = h ]; then
			"${pre[@]}" "$b/share" map "$f" 1 >"$TMP/$tag-$name-1.out" 2>&1 &
		else
			kbo "$TMP/$tag-$name-1.out" -m ro -S "$img" -b "$b:/mnt/w" -- /mnt/w/share map "/mnt/w/$name" 1 &
		fi
		kp=$!
		kbo "$TMP/$tag-$name-2.out" -m ro -S "$img" -b "$b:/mnt/w" -- /mnt/w/share map "/mnt/w/$name" 2
		expect_status 0 $? "$tag $name: the guest's map sees the other side's stores"
		wait "$kp"
		expect_status 0 $? "$tag $name: the other side's map sees the guest's"
		grep -h FAIL "$TMP/$tag-$name-"*.out | sed 's/^/    | /'
	}
	map_pair mp-hg h
	map_pair mp-gg g

	# FIFOs: host writer, guest reader; guest writer, host reader
	rm -f "$b/ff" && "${pre[@]}" mkfifo "$b/ff"
	kbo "$TMP/$tag-nb.out" -m ro -S "$img" -b "$b:/mnt/w" -- /usr/bin/python3 -c "
import errno, os
try:
    os.open('/mnt/w/ff', os.O_WRONLY | os.O_NONBLOCK); print('opened')
except OSError as e:
    print('nb', errno.errorcode[e.errno])"
	expect_grep '^nb ENXIO$' "$TMP/$tag-nb.out" "$tag: a non-blocking writer without a reader gets ENXIO"
	# shellcheck disable=SC2016 # $1 is the inner shell's
	"${pre[@]}" sh -c 'echo from-host >"$1"' sh "$b/ff" &
	kbo "$TMP/$tag-fr.out" -m ro -S "$img" -b "$b:/mnt/w" -- /bin/cat /mnt/w/ff
	wait
	expect_grep '^from-host$' "$TMP/$tag-fr.out" "$tag: the guest reads the host's FIFO data up to EOF"
	kbo "$TMP/$tag-fw.out" -m ro -S "$img" -b "$b:/mnt/w" -- /bin/sh -c 'echo from-guest >/mnt/w/ff' &
	kp=$!
	got=$(timeout 30 "${pre[@]}" cat "$b/ff")
	wait "$kp"
	check "$tag: the host reads the guest's FIFO data up to EOF" [ "$got" = from-guest ]
}

one_run user "$TMP/b1"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	nat=$(mktemp -d /tmp/kbox-bind-host-share.XXXXXX) && chmod 755 "$nat"
	trap 'rm -rf "$nat"; cleanup' EXIT
	KB_WRAP="setpriv --reuid=65534 --regid=65534 --clear-groups" \
		one_run nobody "$nat/b" setpriv --reuid=65534 --regid=65534 --clear-groups
fi
done_test
