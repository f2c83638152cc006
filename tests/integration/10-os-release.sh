#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cat /etc/os-release from the image; output goes to the host's stdout.
. "$(dirname "$0")/lib/common.sh"
require

kbo "$TMP/out" -r "$IMG" -- /bin/cat /etc/os-release
st=$?
expect_status 0 "$st" "cat /etc/os-release"
expect_grep '^ID=debian' "$TMP/out" "os-release is the image's (Debian)"
want=$(img_cat "$IMG" /etc/os-release)
if [ -n "$want" ] && [ "$(cat "$TMP/out")" = "$want" ]; then
	pass "content identical to debugfs cat"
else
	fail "content differs from 'debugfs -R \"cat /etc/os-release\"'"
fi

# the same through a host pipe: kbox ... | grep
n=$(kb -r "$IMG" -- /bin/cat /etc/os-release </dev/null 2>/dev/null | grep -c '^ID=')
[ "$n" = 1 ] && pass "kbox ... | grep works" || fail "pipe to host grep gave '$n'"
done_test
