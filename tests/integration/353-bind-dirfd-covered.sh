#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A name relative to a directory fd opened before the guest covered that
# directory is walked from the fd, as natively: from an fd of /mnt taken
# before `mount -t tmpfs tmpfs /mnt`, "b" is still the bind at /mnt/b.
# kbox routed it as the fd's path text joined to the name, asked lx from
# the root, met the tmpfs and said ENOENT. A path from the root stays
# covered.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
b=$TMP/bind
mkdir -p "$b"
echo hostfile >"$b/f"
kbo "$TMP/out" -S "$img" -b "$b:/mnt/b" -- /usr/bin/python3 -c '
import os, subprocess
d = os.open("/mnt", os.O_RDONLY | os.O_DIRECTORY)
subprocess.run(["busybox", "mount", "-t", "tmpfs", "tmpfs", "/mnt"], check=True)
print("root:", os.path.exists("/mnt/b"))
fd = os.open("b/f", os.O_RDONLY, dir_fd=d)
print("fd:", os.read(fd, 100).decode().strip())
print("list:", sorted(os.listdir(os.open("b", os.O_RDONLY, dir_fd=d))))
print("stat:", os.stat("b/f", dir_fd=d).st_size)
subprocess.run(["busybox", "umount", "/mnt"], check=True)
'
expect_status 0 $? "a dir fd held above a covered bind"
expect_grep '^root: False$' "$TMP/out" "from the root the bind is covered"
expect_grep '^fd: hostfile$' "$TMP/out" "from the old fd the bind's file opens"
expect_grep "^list: \['f'\]$" "$TMP/out" "and its directory lists"
expect_grep '^stat: 9$' "$TMP/out" "and stat reaches it"
done_test
