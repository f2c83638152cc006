#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Walks lx does itself reach a bind too: a symlink in the image that
# leads into the bind (absolute or with ..), a program run through one, a
# cwd entered through one, and names relative to a directory above the
# bind (find's openat(fd, "mnt")). They ended in the image's empty
# directory beneath the bind (ENOENT); lx now marks the bind's place and
# the supervisor takes such walks to the host (kernel/arch/lx/fs/bindtrap.c).
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
b=$TMP/bind
mkdir -p "$b/sub"
echo hostfile >"$b/sub/f"
printf '#!/bin/sh\necho "tool ran $*"\n' >"$b/tool"
chmod +x "$b/tool"
kbo "$TMP/in.out" -S "$img" -b "$b:/mnt" -- /bin/sh -c '
	ln -s /mnt/sub /root/lnk && echo "abs $(cat /root/lnk/f)"
	ln -s ../mnt /root/rel && echo "rel $(cat /root/rel/sub/f)"
	mkdir -p /usr/local/bin && ln -s /mnt/tool /usr/local/bin/kbox-tool
	kbox-tool a b
	cd /root/lnk && echo "cwd $(pwd) $(cat f)" && cd /
	echo written >/root/lnk/new
	echo "find $(find / -path /proc -prune -o -path /sys -prune -o \
		-name f -path "/mnt/*" -print)"
	echo "list $(ls /root/rel/sub | tr "\n" " ")"
	echo "mounts $(grep -c " /mnt kbox-bind " /proc/mounts)"'
expect_status 0 $? "walks into a bind from the image"
expect_grep '^abs hostfile$' "$TMP/in.out" "an absolute link into the bind"
expect_grep '^rel hostfile$' "$TMP/in.out" "a relative link into the bind"
expect_grep '^tool ran a b$' "$TMP/in.out" "a program run through a link into the bind"
expect_grep '^cwd /root/lnk hostfile$' "$TMP/in.out" "cd through a link into the bind"
expect_grep '^find /mnt/sub/f$' "$TMP/in.out" "find descends into the bind from /"
expect_grep '^list f new $' "$TMP/in.out" "a listing through the link is the host's"
expect_grep '^mounts 1$' "$TMP/in.out" "/proc/mounts lists the bind"
check "a file created through the link lands on the host" \
	grep -qx written "$b/sub/new"
check "the image's own /mnt stays empty" \
	sh -c "! debugfs -R 'ls -l /mnt' '$img' 2>/dev/null | grep -qw sub"
check "the image is clean after the run" \
	sh -c "e2fsck -fn '$img' >/dev/null 2>&1"
done_test
