#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A guest reaches no host process and no host socket through calls kbox
# let the host make (tests/guest/host-reach): F_SETOWN/F_SETOWN_EX/
# FIOSETOWN of a host process (SIGIO with F_SETSIG SIGKILL killed it: any
# host process under kbox run by root, any of the user's when rootless);
# connect/sendmsg/sendto whose address a second thread rewrote from an
# abstract name into a host path after kbox's look (host sockets reached,
# as root under a root kbox); ioprio_set(IOPRIO_WHO_PGRP, 0) changing
# kbox's own group; fchmod/fchown/futimens at an fd number a second
# thread swaps to a root-owned file in a bind (a guest user of a root
# kbox made it 4777).
. "$(dirname "$0")/lib/common.sh"
require
helper=$BUILD/guest/host-reach
[ -x "$helper" ] || skip "$helper missing (make guest-tests)"
sleep 600 & # a host process outside the guest, of kbox's user
victim=$!
"$helper" listen "$TMP/hs" 300 &
lis=$!
for _ in $(seq 50); do
	[ -S "$TMP/hs.d" ] && break
	sleep 0.1
done
chmod 755 "$TMP"
chmod 777 "$TMP/hs.s" "$TMP/hs.d"
run_guest_test "-R" host-reach "$victim" "$TMP/hs"
if [ "$(id -u)" -eq 0 ]; then
	mkdir -p "$TMP/b"
	echo data >"$TMP/b/f"
	chmod 644 "$TMP/b/f"
	run_guest_test "-b $TMP/b:/mnt --change-id 1000:1000 -R" host-reach \
		"$victim" "$TMP/hs" /mnt/f
	[ "$(stat -c %a:%u "$TMP/b/f")" = 644:0 ] &&
		pass "the root-owned bind file kept its mode and owner" ||
		fail "the root-owned bind file is now $(stat -c %a:%u "$TMP/b/f")"
	run_guest_test "-S" host-reach "$victim" "$TMP/hs"
fi
kill -0 "$victim" 2>/dev/null &&
	pass "the host process outside the guest is alive" ||
	fail "the host process outside the guest was killed"
kill "$victim" "$lis" 2>/dev/null
wait "$victim" "$lis" 2>/dev/null
done_test
