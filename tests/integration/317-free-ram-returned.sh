#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# RAM lx frees goes back to the host. lx's RAM is one host mapping; a
# page the kernel once touched stayed resident in kbox for the rest of
# the run, so a guest that wrote and deleted a large file (its page
# cache) left kbox that much bigger for good, even after drop_caches.
# lx reports free 2 MiB blocks to the host now (arch/lx/kernel/freeram.c,
# free page reporting) and they are dropped a few seconds after.
. "$(dirname "$0")/lib/common.sh"
require

img=$(own_img)
mkdir -p "$TMP/b"
chmod 777 "$TMP/b"
timeout -k 5 "$KB_TIMEOUT" "$KBOX" -S "$img" -b "$TMP/b:/mnt/b" -- /bin/sh -c '
	dd if=/dev/zero of=/root/big bs=1M count=100 2>/dev/null || echo "FAIL: dd"
	sync; : >/mnt/b/written
	i=0; while [ ! -e /mnt/b/go ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
	rm /root/big; sync; echo 3 >/proc/sys/vm/drop_caches; : >/mnt/b/freed
	i=0; while [ ! -e /mnt/b/done ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
	echo guest done' >"$TMP/out" 2>&1 </dev/null &
wrapper=$!

wait_file() { # wait_file NAME: up to 30 s
	local i=0
	while [ ! -e "$TMP/b/$1" ] && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -e "$TMP/b/$1" ]
}
rss() { awk '/^VmRSS:/ { print $2 }' /proc/"$1"/status 2>/dev/null; }

if wait_file written; then
	pid=$(kbox_pid_of "$wrapper")
	peak=$(rss "$pid")
	: >"$TMP/b/go"
	wait_file freed
	# reporting waits 2 s after the frees; give it up to 20 s
	now=$peak
	for _ in $(seq 40); do
		now=$(rss "$pid")
		[ -n "$now" ] && [ "$now" -lt $((peak - 60000)) ] && break
		sleep 0.5
	done
	if [ -n "$now" ] && [ -n "$peak" ] && [ "$now" -lt $((peak - 60000)) ]; then
		pass "kbox resident ${peak} kB with the file, ${now} kB after it was freed"
	else
		fail "kbox resident ${peak:-?} kB with the file, still ${now:-?} kB after it was freed"
	fi
else
	fail "the guest did not write its file"
fi
: >"$TMP/b/go"
: >"$TMP/b/done"
wait "$wrapper"
expect_status 0 $? "the guest ran to the end"
expect_grep '^guest done$' "$TMP/out" "the guest ran to the end"
expect_no_grep '^FAIL' "$TMP/out" "the guest wrote its file"
done_test
