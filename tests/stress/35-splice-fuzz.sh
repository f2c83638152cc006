#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/splice-fuzz, a differential fuzzer for splice, tee,
# vmsplice, sendfile and copy_file_range (with read, write, pread,
# pwrite, lseek and ftruncate around them) between files of the place
# under test, a file on another filesystem, a memfd, a directory, two
# pipes (full, empty, readerless), a socket pair, /dev/null and
# /dev/zero, with fds reopened read-only, write-only, O_APPEND or
# O_PATH; each call's result, the files' sizes and hashes, the fds'
# positions and the bytes queued in pipes and sockets are traced. For
# fixed seeds it runs natively (as nobody when run as root; the other
# filesystem is /dev/shm), then in the box in the image (/var/tmp), lx's
# tmpfs (/tmp) and a bind (the other filesystem is a bind for the first
# two, the image for the bind), as a user (--change-id) and as guest
# root; every trace must equal the native one. The program masks what
# legitimately differs (its header): page-granular pipe fills, spliced
# page cache pages a later write shows through, ext4's and tmpfs's
# limits, and (known gaps, docs/supervisor-status.md) a bind's O_PATH fds
# and lx's sendfile within one file. It found (299-splice-edges): kbox's
# own copies between an image file and a host pipe, socket, memfd or
# device skipped Linux's checks - sendfile from a pipe or socket read it,
# splice and sendfile appended to O_APPEND outputs, returned 0 for a full
# or readerless pipe at EOF, ignored unknown flags and counts past
# LLONG_MAX, took O_PATH fds, advanced /dev/zero's offset - a 0-byte
# splice was EBADF, tee read its output fd from the length, vmsplice
# was always EBADF, and a blocking pipe with too little room held the
# call until a reader came. SPLICE_FUZZ_SEEDS, SPLICE_FUZZ_NOPS.
. "$(dirname "$0")/../integration/lib/common.sh"
require
fz=$BUILD/guest/splice-fuzz
[ -x "$fz" ] || skip "no $fz (make guest-tests)"
SEEDS=${SPLICE_FUZZ_SEEDS:-1 2 3 4 5 6}
NOPS=${SPLICE_FUZZ_NOPS:-800}
SEEDS=$(echo $SEEDS) # one line for the guest script
shm=$(mktemp -d /dev/shm/kbox-splice-fuzz.XXXXXX) || skip "no /dev/shm for the native runs"
chmod 777 "$shm"
native_runner "$fz" "rm -rf \"$shm\""
b=$TMP/bind
mkdir -p "$b" && chmod 777 "$b"
# NOPATH g: no O_PATH opens of the other filesystem's file, d: of DIR's
# (a bind's O_PATH fd reads under kbox, a known gap): "g" in the image,
# "gd" in the bind, natively both
for s in $SEEDS; do
	native_trace "$TMP/n-$s-g" "$s" "$fz" "$nat/$s" "$s" "$NOPS" "$shm" g
	native_trace "$TMP/n-$s-gd" "$s" "$fz" "$nat/$s" "$s" "$NOPS" "$shm" gd
done
script='run() { rm -rf "$1" "$3"; mkdir -p "$1" "$3" && cd "$1" && /opt/kbox-tests/splice-fuzz "$1" "$2" '"$NOPS"' "$3" "$4"; cd /; rm -rf "$1" "$3"; }
for s in '"$SEEDS"'; do
	echo "==== $s /var/tmp"; run /var/tmp/sf-$s $s /mnt/b/o-$s g
	echo "==== $s /tmp"; run /tmp/sf-$s $s /mnt/b/o-$s g
	echo "==== $s /mnt/b"; run /mnt/b/sf-$s $s /var/tmp/o-$s gd
done'
KB_TIMEOUT=150 kbo "$TMP/u.all" -b "$b:/mnt/b" --change-id $uid:$gid -R "$IMG" -- /bin/sh -c "$script"
expect_status 0 $? "splice-fuzz under kbox as $uid"
KB_TIMEOUT=150 kbo "$TMP/r.all" -b "$b:/mnt/b" -S "$IMG" -- /bin/sh -c "$script"
expect_status 0 $? "splice-fuzz under kbox as guest root"
split_traces u r
for s in $SEEDS; do
	grep -q '^splice-fuzz: done$' "$TMP/n-$s-g" || fail "seed $s: no native trace"
	for w in v t b; do
		n=$TMP/n-$s-g
		[ $w = b ] && n=$TMP/n-$s-gd
		for who in u r; do
			same_trace "$n" "$TMP/$who-$s-$w" "seed $s: $who $w as native"
		done
	done
done
[ "$FAILS" -eq 0 ] && echo PASS || echo FAIL
done_test
