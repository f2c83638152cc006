#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Files written by the guest are in the image after exit (debugfs), synced
# and cleanly unmounted, and absent from the host.
. "$(dirname "$0")/lib/common.sh"
require
require_cmd debugfs e2fsck

name=kbox-persist-$$-$RANDOM
kbo "$TMP/out" -0 -r "$IMG" -- /bin/sh -c "
echo 'written in the guest' >/$name
mkdir -p /var/$name && seq 1 10000 >/var/$name/numbers
yes 0123456789abcdef | head -c 4194304 >/var/$name/big
"
expect_status 0 $? "guest writes files"
[ "$(img_cat "$IMG" "/$name")" = "written in the guest" ] && pass "debugfs cat /$name" || fail "/$name not in the image"
[ "$(img_cat "$IMG" "/var/$name/numbers" | tail -1)" = 10000 ] && pass "10000-line file complete" || fail "numbers file incomplete"
sz=$(debugfs -R "stat /var/$name/big" "$IMG" 2>/dev/null | sed -n 's/.*Size: \([0-9]*\).*/\1/p' | head -1)
[ "$sz" = 4194304 ] && pass "4 MiB file has its size" || fail "big file size '$sz'"
[ -e "/$name" ] || [ -e "/var/$name" ] && fail "the guest's files appeared on the host" || pass "nothing on the host"
e2fsck -fn "$IMG" >"$TMP/fsck" 2>&1 && pass "e2fsck -fn clean (synced, unmounted)" || { fail "e2fsck -fn not clean"; tail -5 "$TMP/fsck"; }

# a second run sees the first run's files; removing them sticks
kbo "$TMP/out" -0 -r "$IMG" -- /bin/sh -c "cat /$name && rm -r /$name /var/$name"
expect_status 0 $? "second run reads and removes them"
expect_grep '^written in the guest$' "$TMP/out" "second run sees the file"
img_has "$IMG" "/$name" && fail "removed file still in the image" || pass "removal persisted"
done_test
