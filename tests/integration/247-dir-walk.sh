#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Directory iteration (tests/guest/dir-walk) in every kind of directory
# kbox serves: the image, lx's tmpfs, a -b bind, and the listings kbox
# makes or merges (/ with a bind's glue, /proc, /proc/self/fd, /dev,
# /dev/pts, /sys); small getdents64 buffers, d_off resumption, seekdir,
# d_type against lstat. It found /proc/net, a symlink to self/net in
# Linux's /proc listing, lstat as a directory and readlink EINVAL (kbox
# routes it to its own host /proc/<pid>/net).
. "$(dirname "$0")/lib/common.sh"
require
b=$TMP/b
mkdir -p "$b/sub" && chmod 755 "$b"
for i in $(seq 1 200); do : >"$b/dw-bound-file-with-a-longish-name-$i"; done
ln -s x "$b/lnk"
mkfifo "$b/fifo"
dirs='/ /proc /proc/self /proc/self/fd /proc/self/task /dev /dev/pts /dev/shm /etc /usr/bin /var/tmp/d /tmp/d /mnt/b /mnt /sys /sys/class /run'
script='mkdir -p /var/tmp/d /tmp/d
for i in $(seq 1 200); do : >/var/tmp/d/dw-file-with-a-longish-name-$i; : >/tmp/d/dw-f-$i; done
mkfifo /var/tmp/d/fifo; ln -s x /var/tmp/d/lnk; mkdir /var/tmp/d/sub
/opt/kbox-tests/dir-walk '"$dirs"'
echo "link: $(readlink /proc/net) $(stat -c %F /proc/net) / $(stat -c %F /proc/net/)"'
kbo "$TMP/root" -S "$IMG" -b "$b:/mnt/b" -- /bin/sh -c "$script"
expect_status 0 $? "dir-walk as root"
expect_grep '^PASS dir-walk' "$TMP/root" "every listing consistent (root)"
expect_no_grep '^FAIL' "$TMP/root" "no failed check (root)"
expect_grep '^link: self/net symbolic link / directory$' "$TMP/root" \
	"/proc/net is a link to self/net, /proc/net/ a directory"
kbo "$TMP/user" --change-id 1000:1000 -R "$IMG" -b "$b:/mnt/b" -- \
	/opt/kbox-tests/dir-walk / /proc /proc/self/fd /dev /mnt/b /tmp /usr/bin
expect_status 0 $? "dir-walk as a user"
expect_no_grep '^FAIL' "$TMP/user" "no failed check (user)"
done_test
