#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Differential timestamp fuzzing (tests/guest/time-fuzz): seeded writes,
# truncates, reads, mappings, renames, links, chmod, utimensat, xattrs
# and more on a few files, each followed by which of atime, mtime and
# ctime moved for every object. The same seed must give the same trace in
# the image (/var/tmp, ext4), lx's tmpfs (/tmp) and a -b bind, as root
# and as a user. Natively (a host ext4 and a host tmpfs directory) the
# traces were these too. It found: truncate(2) on lx's tmpfs set no
# times; kbox's own reads of a mapped file (refreshing its copy) set
# atime, and mmap and reads served from that copy did not; lx's clock
# stood still while its timer thread waited for a CPU on a loaded host
# (tens of ms: a later write got the same mtime).
# TIME_FUZZ_SEEDS, TIME_FUZZ_NOPS to try others.
. "$(dirname "$0")/../integration/lib/common.sh"
require
SEEDS=${TIME_FUZZ_SEEDS:-$(seq 1 8)}
NOPS=${TIME_FUZZ_NOPS:-60}
SEEDS=$(echo $SEEDS)
b=$TMP/bind
mkdir -p "$b" && chmod 777 "$b"
script='run() { rm -rf "$1"; mkdir -p "$1" && /opt/kbox-tests/time-fuzz "$1" "$2" '"$NOPS"'; rm -rf "$1"; }
for s in '"$SEEDS"'; do
	echo "==== v-$s"; run /var/tmp/tf-$s $s
	echo "==== t-$s"; run /tmp/tf-$s $s
	echo "==== b-$s"; run /mnt/b/tf-$s $s
done'
for who in root user; do
	if [ $who = root ]; then
		args=(-S "$IMG")
	else
		args=(--change-id 1000:1000 -R "$IMG")
	fi
	KB_TIMEOUT=150 kbo "$TMP/k.$who" "${args[@]}" -b "$b:/mnt/b" -- /bin/sh -c "$script"
	expect_status 0 $? "time-fuzz under kbox as $who"
	rm -f "$TMP"/k-$who-*
	awk -v d="$TMP" -v w=$who '/^==== /{f=d "/k-" w "-" $2; next} {print > f}' "$TMP/k.$who"
	for s in $SEEDS; do
		grep -q '^time-fuzz: done$' "$TMP/k-$who-v-$s" 2>/dev/null ||
			fail "seed $s ($who): no trace in the image"
		for w in t b; do
			if cmp -s "$TMP/k-$who-v-$s" "$TMP/k-$who-$w-$s"; then
				pass "seed $s ($who): $w the same as the image"
			else
				diff "$TMP/k-$who-v-$s" "$TMP/k-$who-$w-$s" | head -10
				fail "seed $s ($who): $w differs from the image"
			fi
		done
	done
done
[ "$FAILS" -eq 0 ] && echo PASS || echo FAIL
done_test
