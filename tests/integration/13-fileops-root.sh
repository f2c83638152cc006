#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# touch/mkdir/mv/cp/rm/ln -s/chmod/chown as root in the guest (-0); the
# results are in the image afterwards (debugfs) with the right metadata.
. "$(dirname "$0")/lib/common.sh"
require
require_cmd debugfs

script='
set -e
cd /root 2>/dev/null || cd /
mkdir -p /srv/t/d1/d2
touch /srv/t/a
echo hello >/srv/t/b
cp /srv/t/b /srv/t/c
mv /srv/t/c /srv/t/d1/c
ln -s ../b /srv/t/d1/lnk
cat /srv/t/d1/lnk
chmod 0751 /srv/t/d1
chmod 4755 /srv/t/a
chown 1000:1000 /srv/t/b
chown -h 1000:1000 /srv/t/d1/lnk
touch /srv/t/gone && rm /srv/t/gone
rmdir /srv/t/d1/d2
cp -a /etc/hostname /srv/t/hostname.copy
stat -c "%a %u %g" /srv/t/d1 /srv/t/a /srv/t/b
id -u
echo done
'
kbo "$TMP/out" -0 -r "$IMG" -- /bin/sh -c "$script"
st=$?
sed 's/^/    | /' "$TMP/out"
expect_status 0 "$st" "file operations as root"
expect_grep '^hello$' "$TMP/out" "read through a relative symlink"
expect_grep '^751 0 0$' "$TMP/out" "chmod 0751 on a dir"
expect_grep '^4755 0 0$' "$TMP/out" "chmod 4755 keeps setuid"
expect_grep '^644 1000 1000$' "$TMP/out" "chown 1000:1000"
expect_grep '^0$' "$TMP/out" "id -u is 0 with -0"
expect_grep '^done$' "$TMP/out" "script ran to the end"

# after exit, in the image
[ "$(img_cat "$IMG" /srv/t/d1/c)" = hello ] && pass "mv'd copy in the image" || fail "/srv/t/d1/c not 'hello' in the image"
img_has "$IMG" /srv/t/gone && fail "removed file still in the image" || pass "rm'd file absent"
img_has "$IMG" /srv/t/d1/d2 && fail "rmdir'd dir still in the image" || pass "rmdir'd dir absent"
img_has "$IMG" /srv/t/a && pass "touched file in the image" || fail "/srv/t/a missing"
debugfs -R "stat /srv/t/d1/lnk" "$IMG" 2>/dev/null | grep -q 'Fast link dest: "../b"' &&
	pass "symlink target in the image" || fail "symlink /srv/t/d1/lnk target"
debugfs -R "stat /srv/t/b" "$IMG" 2>/dev/null | grep -Eq 'User: +1000 +Group: +1000' &&
	pass "owner 1000:1000 in the image" || fail "owner of /srv/t/b in the image"
[ "$(img_cat "$IMG" /srv/t/hostname.copy)" = kbox ] && pass "cp -a of /etc/hostname" || fail "hostname.copy"
e2fsck -fn "$IMG" >"$TMP/fsck" 2>&1 && pass "e2fsck -fn clean after the run" || { fail "e2fsck -fn not clean"; tail -5 "$TMP/fsck"; }
# nothing leaked to the host
[ -e /srv/t/d1/c ] && fail "/srv/t/d1/c exists on the host" || pass "host /srv untouched"
done_test
