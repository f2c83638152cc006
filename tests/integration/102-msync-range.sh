#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/msync-range: msync(MS_SYNC) writes back the range it names
# (it wrote every shared mapping of the process whole: a page of a
# 256 MiB mapping took up to 750 ms, and refused calls as long); the
# page, in a mapping that starts 64 KiB into the file, reaches the image:
# lx writes it to disk within ~6 s, then kbox is killed unsynced.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
"$KBOX" -S "$img" -- /opt/kbox-tests/msync-range /root/ms.dat >"$TMP/out" 2>&1 &
kpid=$!
for _ in $(seq 200); do
	grep -q '^synced' "$TMP/out" && break
	sleep 0.1
done
expect_grep '^synced' "$TMP/out" "the guest synced its page"
expect_no_grep '^FAIL' "$TMP/out" "no FAIL line"
sleep 12
kill -9 "$kpid"
wait "$kpid"
pkill -9 -f -- "$img" 2>/dev/null
sleep 0.5
debugfs -R "dump /root/ms.dat $TMP/ms.dat" "$img" >/dev/null 2>&1
got=$(dd if="$TMP/ms.dat" bs=1 skip=$((72 * 1024)) count=6 2>/dev/null)
if [ "$got" = PAGE-A ]; then
	pass "the msync'd page is in the image after kill -9"
else
	fail "the msync'd page is not in the image: '$got'"
fi
done_test
