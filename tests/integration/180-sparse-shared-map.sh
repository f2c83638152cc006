#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A file mapped MAP_SHARED and then written far past its end
# (tests/guest/sparse-shared-map): the stores made through the mapping
# reach the image, and kbox does not allocate the sparse range. Writing
# the stores back walked the whole file through kbox's memfd, which
# allocated every page of it: 2 GiB of host memory for this file, and
# trinity's pwrite 500 GiB out got kbox OOM-killed (found by trinity).
# The first shared mapping of a sparse file copied it whole, zeros
# included; it copies the data now and keeps the holes.
. "$(dirname "$0")/lib/common.sh"
require
command -v python3 >/dev/null || skip "python3 is needed to measure kbox's peak memory"
img=$(own_img)
# peak OUT MODE: run the guest in MODE (output to OUT); kbox's peak
# resident memory (shared memory included) in KiB on stdout; its status
peak() {
	python3 -c '
import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:], stdout=open(sys.argv[1], "w"), stderr=subprocess.STDOUT)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc)' "$1" timeout 60 "$KBOX" -S "$img" -- /opt/kbox-tests/sparse-shared-map "$2"
}
# under_512m RSSFILE WHAT
under_512m() {
	local rss
	rss=$(tail -1 "$1")
	echo "  kbox's peak RSS: ${rss} KiB"
	[ "${rss:-999999999}" -lt 524288 ] && pass "kbox's peak RSS stays under 512 MiB" ||
		fail "kbox's peak RSS was ${rss} KiB $2"
}
peak "$TMP/write.out" write >"$TMP/rss" 2>&1
expect_status 0 $? "the guest maps, stores, writes 2 GiB out and exits"
expect_no_grep '^FAIL' "$TMP/write.out" "the write phase printed no FAIL line"
under_512m "$TMP/rss" "for a one-page mapping of a sparse file"
kbo "$TMP/check.out" -S "$img" -- /opt/kbox-tests/sparse-shared-map check
expect_status 0 $? "the stores and the far byte are in the image"
expect_no_grep '^FAIL' "$TMP/check.out" "the check phase printed no FAIL line"
# the first shared mapping of a sparse file copies its data, not its size
peak "$TMP/fresh.out" fresh >"$TMP/rss2" 2>&1
expect_status 0 $? "a 2 GiB sparse file with data at 1 GiB, mapped shared"
expect_no_grep '^FAIL' "$TMP/fresh.out" "the fresh phase printed no FAIL line"
under_512m "$TMP/rss2" "mapping a sparse file"
done_test
