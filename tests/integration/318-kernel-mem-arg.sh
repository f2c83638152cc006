#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# -k mem= that is not a size lx takes as given is one line and status 2
# before anything starts: lx made anything below 16M, "foo" and "1.5G"
# included, a 16 MiB kernel, silently (mem=1.5G booted with 16 MiB where
# the user asked for 1.5 GiB). A real size still boots.
. "$(dirname "$0")/lib/common.sh"
require
for k in mem=foo mem=1 mem=1.5G "quiet mem=4k"; do
	kbo "$TMP/out" -k "$k" -r "$IMG" -- /bin/true
	expect_status 2 $? "-k '$k'"
	expect_grep "^kbox: bad -k mem=[^ ]* \(want a size of at least 16M" "$TMP/out" "-k '$k': says why"
	check "-k '$k': one line" test "$(wc -l <"$TMP/out")" -eq 1
done
kbo "$TMP/out" -k "loglevel=4 mem=64M" -r "$IMG" -- /bin/true
expect_status 0 $? "-k mem=64M boots"
kbo "$TMP/out" -k mem=0x4000000 -r "$IMG" -- /bin/true
expect_status 0 $? "-k mem=0x4000000 (hex, as memparse) boots"
done_test
