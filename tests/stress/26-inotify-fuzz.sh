#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/inotify-fuzz, a differential fuzzer for inotify: for fixed
# seeds it runs natively (as nobody when run as root), then in the box
# with its tree in the image (/var/tmp), in lx's tmpfs (/tmp) and in a
# bind, as the same kind of user (--change-id), and as guest root in the
# three places (compared with each other: natively that needs root); every
# trace must equal the native one. INOTIFY_FUZZ_SEEDS, INOTIFY_FUZZ_NOPS
# to try others.
. "$(dirname "$0")/../integration/lib/common.sh"
require
fz=$BUILD/guest/inotify-fuzz
[ -x "$fz" ] || skip "no $fz (make guest-tests)"
SEEDS=${INOTIFY_FUZZ_SEEDS:-1 2 3 5 6 8 10 12 15 16 32}
NOPS=${INOTIFY_FUZZ_NOPS:-500}
SEEDS=$(echo $SEEDS) # one line for the guest script
native_runner "$fz"
b=$TMP/bind
mkdir -p "$b" && chmod 777 "$b"
for s in $SEEDS; do
	native_trace "$TMP/n-$s" "$s" "$fz" "$nat/$s" "$s" "$NOPS"
done
script='run() { rm -rf "$1"; mkdir -p "$1" && /opt/kbox-tests/inotify-fuzz "$1" "$2" '"$NOPS"'; chmod -R u+rwX "$1"; rm -rf "$1"; }
for s in '"$SEEDS"'; do
	for w in /var/tmp /tmp /mnt/b; do echo "==== $s $w"; run $w/if-$s $s; done
done'
KB_TIMEOUT=120 kbo "$TMP/u.all" -b "$b:/mnt/b" --change-id $uid:$gid -R "$IMG" -- /bin/sh -c "$script"
expect_status 0 $? "inotify-fuzz under kbox as $uid"
KB_TIMEOUT=120 kbo "$TMP/r.all" -b "$b:/mnt/b" -S "$IMG" -- /bin/sh -c "$script"
expect_status 0 $? "inotify-fuzz under kbox as guest root"
split_traces u r
for s in $SEEDS; do
	for w in v t b; do
		for who in u r; do
			ref=$TMP/n-$s
			[ $who = r ] && ref=$TMP/r-$s-v
			[ "$who-$w" = r-v ] && continue
			same_trace "$ref" "$TMP/$who-$s-$w" "seed $s: $who $w as $( [ $who = r ] && echo 'root in v' || echo native)"
		done
	done
done
[ "$FAILS" -eq 0 ] && echo PASS || echo FAIL
done_test
