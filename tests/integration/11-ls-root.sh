#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ls -la / lists the image's root, not the host's.
. "$(dirname "$0")/lib/common.sh"
require

kbo "$TMP/out" -r "$IMG" -- /bin/ls -la /
expect_status 0 $? "ls -la /"
for d in bin etc usr opt; do
	expect_grep " ${d}( ->.*)?\$" "$TMP/out" "/ has $d"
done
expect_grep '^d.* \.\.?$' "$TMP/out" "ls -la shows . and .."
expect_grep '^total [0-9]+' "$TMP/out" "ls -la prints a total"
# names in the host's / that the image lacks must not show up
kbo "$TMP/out2" -r "$IMG" -- /bin/ls -1a /
n=0
for h in /*; do
	h=${h#/}
	img_has "$IMG" "/$h" && continue
	n=$((n + 1))
	if grep -qx -- "$h" "$TMP/out2"; then
		fail "host-only /$h is listed in the guest's /"
	fi
done
pass "$n host-only top-level names checked"
kbo "$TMP/out3" -r "$IMG" -- /bin/ls -l /opt/kbox-tests
expect_grep 'fd-semantics' "$TMP/out3" "/opt/kbox-tests has the guest programs"
done_test
