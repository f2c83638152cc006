#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Programs in a bind run from copies kept in the content cache, keyed by
# the host file's identity, times and a checksum of its first 16 KiB
# (src/exec/progfile.c, cache.c kbox_cache_key_host):
# - a static program is copied once, not at every exec: two processes of
#   one static bind program run the same host copy (/proc/PID/exe on the
#   host; kbox made a fresh memfd per exec);
# - on a host file system with one-second timestamps (ext4 with 128-byte
#   inodes, loop-mounted) a same-size rewrite in place within one second
#   keeps (size, mtime, ctime): the rewritten program runs, dynamic and
#   static (kbox ran the old patched image of a dynamic one).
# shellcheck disable=SC2016 # expanded by the guest shell
. "$(dirname "$0")/lib/common.sh"
require
require_cmd gcc pgrep
img=$(own_img)
b=$TMP/bind
mkdir -p "$b" && chmod 777 "$b"

# 1. one copy for every exec of a static program
timeout -k 5 "$KB_TIMEOUT" "$KBOX" -R "$img" -b "$b:/mnt" -- /bin/sh -c '
	mkdir -p /mnt/sb && cp /bin/busybox /mnt/sb/busybox
	/mnt/sb/busybox sleep 100 & /mnt/sb/busybox sleep 100 &
	echo ready >/mnt/ready; wait' >"$TMP/share.out" 2>&1 </dev/null &
kpid=$!
# is process $1 a descendant of $2?
descends() {
	local p=$1
	while [ "$p" -gt 1 ]; do
		p=$(awk '{print $4}' "/proc/$p/stat" 2>/dev/null) || return 1
		[ "$p" = "$2" ] && return 0
	done
	return 1
}
for _ in $(seq 300); do [ -e "$b/ready" ] && break; sleep 0.1; done
inodes=""
for _ in $(seq 100); do
	pids=""
	for p in $(pgrep -f '^/mnt/sb/busybox sleep 100' || true); do
		descends "$p" "$kpid" && pids="$pids $p"
	done
	[ "$(echo "$pids" | wc -w)" -eq 2 ] && break
	sleep 0.1
done
for p in $pids; do
	inodes="$inodes $(stat -L -c %i "/proc/$p/exe")"
done
kill "$kpid" 2>/dev/null
wait "$kpid" 2>/dev/null
n=$(echo "$inodes" | tr ' ' '\n' | grep -c .)
u=$(echo "$inodes" | tr ' ' '\n' | grep . | sort -u | wc -l)
if [ "$n" -eq 2 ] && [ "$u" -eq 1 ]; then
	pass "two processes of one static bind program run one copy"
else
	fail "static bind program copies: inodes '$inodes' (want two, equal)"
	cat "$TMP/share.out"
fi

# 2. a same-size rewrite within one second of a coarse host clock
if [ "$(id -u)" -ne 0 ] || ! command -v mkfs.ext4 >/dev/null; then
	done_test
fi
truncate -s 32M "$TMP/fs.img"
mkfs.ext4 -q -F -I 128 "$TMP/fs.img" >/dev/null 2>&1
mkdir "$TMP/m"
if ! mount -o loop "$TMP/fs.img" "$TMP/m" 2>/dev/null; then
	echo "no loop mount here: the coarse-clock part skipped"
	done_test
fi
trap 'umount "$TMP/m" 2>/dev/null; cleanup' EXIT
chmod 777 "$TMP/m"
for v in A B; do
	printf '#include <stdio.h>\nint main(void) { puts("variant %s"); return 0; }\n' $v >"$TMP/$v.c"
	gcc -O2 -o "$TMP/m/dyn$v" "$TMP/$v.c"
	gcc -O2 -static -o "$TMP/m/sta$v" "$TMP/$v.c"
done
if [ "$(stat -c %s "$TMP/m/dynA")" != "$(stat -c %s "$TMP/m/dynB")" ] ||
	[ "$(stat -c %s "$TMP/m/staA")" != "$(stat -c %s "$TMP/m/staB")" ]; then
	echo "the two variants differ in size here: part 2 skipped"
	done_test
fi
kbo "$TMP/tick.out" -R "$img" -b "$TMP/m:/mnt" -- /bin/sh -c '
	cd /mnt
	for kind in dyn sta; do
		i=0
		while [ $i -lt 20 ]; do
			i=$((i + 1))
			cat ${kind}A >p; chmod 755 p
			t1=$(stat -c %Y.%Z p); r1=$(./p)
			cat ${kind}B >p
			t2=$(stat -c %Y.%Z p); r2=$(./p)
			if [ "$t1" = "$t2" ]; then
				echo "$kind same-tick: $r1 / $r2"
				break
			fi
		done
	done'
expect_status 0 $? "the rewrite rounds ran"
if grep -q "same-tick" "$TMP/tick.out"; then
	expect_grep '^dyn same-tick: variant A / variant B$' "$TMP/tick.out" "a dynamic program rewritten within one second runs its new bytes"
	expect_grep '^sta same-tick: variant A / variant B$' "$TMP/tick.out" "a static program rewritten within one second runs its new bytes"
else
	echo "no round within one second (a loaded machine): part 2 not checked"
fi
done_test
