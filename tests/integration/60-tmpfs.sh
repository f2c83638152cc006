#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# /tmp and /run are tmpfs with tmpfs's limits. lx's own tmpfs was ramfs
# (no MMU): writing more than lx's RAM to /tmp made every later kernel
# allocation reclaim forever and the whole sandbox hung, output lost.
# Now a full /tmp is ENOSPC, as on Linux, and the guest carries on.
# /dev (devtmpfs) was ramfs too: `dd of=/dev/sdb` with no such disk
# makes a regular file there, and hung the sandbox the same way.
# (size=, nr_inodes=, remount and fallocate: the kernel test
# tmpfs_limits_and_accounting; the image has no mount(8).)
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)

kbo "$TMP/fill.out" -S "$img" -- /bin/sh -c '
	df -k /tmp | tail -1
	stat -f -c "type %T" /tmp
	grep " /tmp " /proc/mounts
	dd if=/dev/zero of=/tmp/big bs=1M count=400 2>/var/tmp/dd.err
	echo "dd status $?"
	head -1 /var/tmp/dd.err
	awk "/records out/ { print \"wrote MiB \" \$1 + 0 }" /var/tmp/dd.err
	df -k /tmp | tail -1 | awk "{ print \"full: avail \" \$4 }"
	rm /tmp/big
	df -k /tmp | tail -1 | awk "{ print \"emptied: used \" \$3 }"
	dd if=/dev/zero of=/tmp/again bs=1M count=8 2>/dev/null && echo "written again"
	truncate -s 2G /tmp/sparse && dd if=/tmp/sparse of=/dev/null bs=1M count=300 skip=1000 2>/dev/null &&
		df -k /tmp | tail -1 | awk "{ print \"sparse read: used \" \$3 }"
	echo alive'
st=$?
expect_status 0 "$st" "a guest filling /tmp finishes"
expect_grep '^tmpfs +[0-9]+ +0 +[0-9]+ +0% /tmp$' "$TMP/fill.out" "df shows /tmp's size"
expect_grep '^type tmpfs$' "$TMP/fill.out" "statfs says tmpfs"
expect_grep '^tmpfs /tmp tmpfs ' "$TMP/fill.out" "/proc/mounts lists /tmp as tmpfs"
expect_grep "^dd status 1$" "$TMP/fill.out" "dd fails"
expect_grep "No space left on device" "$TMP/fill.out" "writing past the size fails with ENOSPC"
# lx's default RAM is 512 MiB: /tmp holds ~253 MiB (it held 63, and
# sort, git and Python's large-file tests ran out of space)
wrote=$(sed -n 's/^wrote MiB //p' "$TMP/fill.out")
check "/tmp took ${wrote:-0} MiB before it was full (>= 200)" test "${wrote:-0}" -ge 200
expect_grep '^full: avail 0$' "$TMP/fill.out" "a full /tmp has nothing available"
expect_grep '^emptied: used 0$' "$TMP/fill.out" "rm gives the space back"
expect_grep '^written again$' "$TMP/fill.out" "/tmp is writable again"
expect_grep '^sparse read: used 8192$' "$TMP/fill.out" "reading a hole allocates nothing"
expect_grep '^alive$' "$TMP/fill.out" "the shell runs on after ENOSPC"

kbo "$TMP/dev.out" -S "$img" -- /bin/sh -c '
	stat -f -c "dev type %T" /dev
	grep " /dev " /proc/mounts
	dd if=/dev/zero of=/dev/sdb bs=1M count=400 2>/var/tmp/dd.err
	echo "dd status $?"
	head -1 /var/tmp/dd.err
	awk "/records out/ { print \"wrote MiB \" \$1 + 0 }" /var/tmp/dd.err
	rm /dev/sdb && echo removed
	ls -l /dev/lxda
	echo alive'
st=$?
expect_status 0 "$st" "a guest filling /dev finishes"
expect_grep '^dev type tmpfs$' "$TMP/dev.out" "statfs of /dev says tmpfs, as Linux's devtmpfs"
expect_grep '^devtmpfs /dev devtmpfs ' "$TMP/dev.out" "/proc/mounts lists /dev as devtmpfs"
expect_grep "^dd status 1$" "$TMP/dev.out" "dd into /dev fails"
expect_grep "error writing '/dev/sdb': No space left on device" "$TMP/dev.out" "filling /dev fails with ENOSPC"
expect_grep '^removed$' "$TMP/dev.out" "the file in /dev can be removed"
expect_grep '^brw------- 1 root root 60, 0 ' "$TMP/dev.out" "the kernel's disk node is in /dev (major 60, never a host's dynamic one)"
expect_grep '^alive$' "$TMP/dev.out" "the shell runs on after /dev is full"
done_test
