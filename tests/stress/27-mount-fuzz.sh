#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/mount-fuzz, a differential fuzzer for what a guest learns
# of file systems and mounts (statfs, statx mount ids and attributes,
# fdinfo, mountinfo, ustat, sysfs, FS_IOC_*FLAGS): for fixed seeds it
# runs natively (as nobody when run as root), then in the box with its
# tree in the image (/var/tmp), in lx's tmpfs (/tmp) and in a bind, as
# the same kind of user (--change-id), and as guest root in the three
# places (compared with each other: natively that needs root); every
# trace must equal the native one. Flag h: no open_by_handle_at of a
# symlink's own handle (kbox, in a bind: EOPNOTSUPP for O_PATH of a
# link). Its survey (mount-fuzz -s: every mountinfo line against stat,
# statx, statfs, fdinfo, /proc/mounts) must be clean with
# binds, a file bind and -m ro. MOUNT_FUZZ_SEEDS, MOUNT_FUZZ_NOPS.
. "$(dirname "$0")/../integration/lib/common.sh"
require
fz=$BUILD/guest/mount-fuzz
[ -x "$fz" ] || skip "no $fz (make guest-tests)"
SEEDS=${MOUNT_FUZZ_SEEDS:-1 2 3 4 5 6 7 8 9 10 11 12}
NOPS=${MOUNT_FUZZ_NOPS:-400}
SEEDS=$(echo $SEEDS) # one line for the guest script
# guest root sets immutable and append-only flags in the bind (the
# fuzzer clears them; a killed run may not)
native_runner "$fz" 'chattr -R -i -a "$TMP/bind" >/dev/null 2>&1'
b=$TMP/bind
mkdir -p "$b" && chmod 777 "$b"
echo note >"$TMP/file"
for s in $SEEDS; do
	native_trace "$TMP/n-$s" "$s" "$fz" "$nat/$s" "$s" "$NOPS" h
done
script='run() { rm -rf "$1"; mkdir -p "$1" && /opt/kbox-tests/mount-fuzz "$1" "$2" '"$NOPS"' h; chmod -R u+rwX "$1"; rm -rf "$1"; }
for s in '"$SEEDS"'; do
	for w in /var/tmp /tmp /mnt/b; do echo "==== $s $w"; run $w/mf-$s $s; done
done'
KB_TIMEOUT=120 kbo "$TMP/u.all" -b "$b:/mnt/b" --change-id $uid:$gid -R "$IMG" -- /bin/sh -c "$script"
expect_status 0 $? "mount-fuzz under kbox as $uid"
KB_TIMEOUT=120 kbo "$TMP/r.all" -b "$b:/mnt/b" -S "$IMG" -- /bin/sh -c "$script"
expect_status 0 $? "mount-fuzz under kbox as guest root"
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
# the survey: native, then binds (a directory, a second one, a file)
# with the image read-write and read-only
(cd "$nat" && "${as_user[@]}" "$fz" -s) >"$TMP/sn" 2>&1
n=0
for opts in "-b $b:/mnt/b -b $TMP:/srv/t -b $TMP/file:/etc/motd" \
	"-m ro -b $b:/mnt -b $TMP/file:/etc/motd"; do
	n=$((n + 1))
	# shellcheck disable=SC2086 # opts is a word list on purpose
	KB_TIMEOUT=60 kbo "$TMP/s$n" $opts --change-id $uid:$gid -R "$IMG" -- /opt/kbox-tests/mount-fuzz -s
	expect_status 0 $? "survey [$opts]"
	same_trace "$TMP/sn" "$TMP/s$n" "survey [$opts] as native"
done
[ "$FAILS" -eq 0 ] && echo PASS || echo FAIL
done_test
