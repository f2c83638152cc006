#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Differential file-lock fuzzing (tests/guest/lock-fuzz): a parent and two
# forked children, driven one at a time over pipes, take and drop fcntl
# POSIX and OFD locks (random type, whence, negative starts and lengths,
# SETLKW only where nothing is in the way, a bounded wait with EDEADLK),
# flocks, dup/dup3/close/exit/re-fork of their fds, and list /proc/locks
# and fdinfo lock lines, pids named P0/C1/C2. The same seed must give the
# same trace in the image (/var/tmp), in lx's tmpfs (/tmp) and in a -b
# bind (the host's locks), as root and as a guest user. Natively (as an
# unprivileged user in a host directory) the traces of seeds 1-60 were
# the same as these. LOCK_FUZZ_SEEDS, LOCK_FUZZ_NOPS to try others.
. "$(dirname "$0")/../integration/lib/common.sh"
require
img=$(own_img)
SEEDS=${LOCK_FUZZ_SEEDS:-$(seq 1 12)}
NOPS=${LOCK_FUZZ_NOPS:-300}
SEEDS=$(echo $SEEDS) # one line for the guest script
b=$TMP/bind
mkdir -p "$b" && chmod 777 "$b"
script='run() { rm -rf "$1"; mkdir -p "$1" && /opt/kbox-tests/lock-fuzz "$1" "$2" '"$NOPS"'; rm -rf "$1"; }
for s in '"$SEEDS"'; do
	echo "==== v-$s"; run /var/tmp/lf-$s $s
	echo "==== t-$s"; run /tmp/lf-$s $s
	echo "==== b-$s"; run /mnt/b/lf-$s $s
done'
for who in "-S" "--change-id 1000:1000 -R"; do
	rm -f "$TMP"/k-*
	# shellcheck disable=SC2086 # who is a word list on purpose
	KB_TIMEOUT=120 kbo "$TMP/k.all" -b "$b:/mnt/b" $who "$img" -- \
		/bin/sh -c "$script"
	expect_status 0 $? "lock-fuzz under kbox [$who]"
	awk -v d="$TMP" '/^==== /{f=d "/k-" $2; next} {print > f}' "$TMP/k.all"
	for s in $SEEDS; do
		grep -q '^done$' "$TMP/k-v-$s" 2>/dev/null ||
			fail "seed $s [$who]: no whole trace in the image"
		for w in t b; do
			if cmp -s "$TMP/k-v-$s" "$TMP/k-$w-$s"; then
				pass "seed $s [$who]: $w the same as the image"
			else
				diff "$TMP/k-v-$s" "$TMP/k-$w-$s" | head -20
				fail "seed $s [$who]: $w differs from the image"
			fi
		done
	done
done
[ "$FAILS" -eq 0 ] && echo PASS || echo FAIL
done_test
