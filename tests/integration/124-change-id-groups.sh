#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# --change-id gives the user's supplementary groups from the image's
# /etc/group, as login, su and chroot --userspec do (the default image
# lists user 1000 in "users", 100): they were cleared, so a root:users
# 0640 file readable in a native chroot was EACCES in kbox. A uid the
# image does not know gets its gid only.
. "$(dirname "$0")/lib/common.sh"
require

kbo "$TMP/out" -S "$IMG" -- /bin/sh -c \
	'echo shared >/var/tmp/g && chown root:users /var/tmp/g && chmod 640 /var/tmp/g'
expect_status 0 $? "a root:users 0640 file"
kbo "$TMP/out" --change-id 1000:1000 -r "$IMG" -- /bin/sh -c 'id -G; cat /var/tmp/g'
expect_status 0 $? "uid 1000 reads it through its group"
[ "$(tr '\n' ' ' <"$TMP/out")" = "1000 100 shared " ] && pass "groups 1000 100" ||
	fail "id -G, cat: $(cat "$TMP/out")"
kbo "$TMP/out" --change-id 4242:4343 -r "$IMG" -- id -G
[ "$(cat "$TMP/out")" = "4343" ] && pass "an unknown uid: its gid only" ||
	fail "id -G for 4242:4343: $(cat "$TMP/out")"
kbo "$TMP/out" --change-id 4242:4343 -r "$IMG" -- cat /var/tmp/g
[ $? -ne 0 ] && pass "and no access through users" || fail "4242 read the file"
done_test
