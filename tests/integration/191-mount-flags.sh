#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# -m takes the per-mount flags mount(8) takes in -o (noatime, nodiratime,
# relatime, strictatime, nosuid, nodev, noexec and their opposites,
# defaults): they were handed to ext4 as data and every one of them failed
# the mount ("ext4: Unknown parameter 'noatime'").
. "$(dirname "$0")/lib/common.sh"
require

mnt() { # OUTFILE -m ARGS...: the root's line of /proc/mounts
	local out=$1
	shift
	kbo "$out" -R "$IMG" "$@" -- /bin/sh -c 'grep " / " /proc/mounts'
}

mnt "$TMP/out" -m noatime
expect_status 0 $? "-m noatime mounts"
expect_grep ' / ext4 rw,noatime ' "$TMP/out" "the root is mounted noatime"
mnt "$TMP/out" -m ro,nosuid -m nodev,nodiratime
expect_status 0 $? "-m ro,nosuid -m nodev,nodiratime mounts"
expect_grep ' / ext4 ro,nosuid,nodev,.*nodiratime' "$TMP/out" "all four flags"
mnt "$TMP/out" -m noatime,data=journal -m atime,defaults
expect_status 0 $? "flags mixed with file system options"
expect_grep ' / ext4 rw,relatime,.*data=journal' "$TMP/out" \
	"the later atime undoes noatime; data=journal reaches ext4"
mnt "$TMP/out" -m bogusflag
st=$?
check "an unknown option still fails (status $st)" test "$st" -eq 1
expect_grep "Unknown parameter 'bogusflag'" "$TMP/out" "and ext4 says which"

# noatime does what it says: a read leaves an old atime alone
kbo "$TMP/out" -S "$IMG" -- /bin/sh -c 'echo x >/root/f
	touch -a -d "2001-01-01 00:00:00" /root/f
	cp /bin/id /bin/kbox-sid && chmod 4755 /bin/kbox-sid'
expect_status 0 $? "set an old atime, make a set-user-ID program"
kbo "$TMP/out" -S "$IMG" -m noatime -- /bin/sh -c \
	'cat /root/f >/dev/null; stat -c "atime %x" /root/f'
expect_grep '^atime 2001-01-01' "$TMP/out" "-m noatime: the read kept the atime"
kbo "$TMP/out" -S "$IMG" -- /bin/sh -c \
	'cat /root/f >/dev/null; stat -c "atime %x" /root/f'
expect_no_grep '^atime 2001-01-01' "$TMP/out" "without it the read sets it"

# nosuid: a set-user-ID program runs without its owner's ids
kbo "$TMP/out" -R "$IMG" --change-id 1000:1000 -- /bin/kbox-sid -u
expect_grep '^0$' "$TMP/out" "set-user-ID program gives euid 0"
kbo "$TMP/out" -R "$IMG" --change-id 1000:1000 -m nosuid -- /bin/kbox-sid -u
expect_grep '^1000$' "$TMP/out" "-m nosuid: it does not"
done_test
