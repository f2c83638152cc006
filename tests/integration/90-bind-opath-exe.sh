#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# open(O_PATH) of a path in a bind gives a usable fd (it was EBADF: the
# seccomp tier cannot install O_PATH files, and rsync failed in binds);
# a program run from a bind reads its own /proc/self/exe (it was EINVAL:
# Go's os.Executable failed); /proc/self/fd/N/name beneath a directory
# the guest holds (a bind's or the image's) names that file (ENOENT).
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
b=$TMP/bind
mkdir -p "$b/d"
echo inside >"$b/d/f"
kbo "$TMP/out" -S "$img" -b "$b:/mnt" -- /bin/sh -c '
	python3 -c "
import os
d = os.open(\"/mnt/d\", os.O_PATH | os.O_DIRECTORY)
print(\"dir\", os.stat(\"f\", dir_fd=d).st_size, os.read(os.open(\"f\", os.O_RDONLY, dir_fd=d), 64).decode().strip())
f = os.open(\"/mnt/d/f\", os.O_PATH)
print(\"file\", os.fstat(f).st_size, os.readlink(\"/proc/self/fd/%d\" % f))
os.fchdir(d)
print(\"cwd\", os.getcwd())
print(\"fdpath\", open(\"/proc/self/fd/%d/f\" % d).read().strip(),
      open(\"/dev/fd/%d/os-release\" % os.open(\"/etc\", os.O_RDONLY)).readline()[:11])
"
	cp /usr/bin/readlink /mnt/rl && echo "exe $(/mnt/rl /proc/self/exe)"'
expect_status 0 $? "O_PATH and /proc/self/exe in a bind"
expect_grep '^dir 7 inside$' "$TMP/out" "an O_PATH directory fd serves as a dir fd"
expect_grep '^file 7 /mnt/d/f$' "$TMP/out" "an O_PATH file fd: fstat and its link"
expect_grep '^cwd /mnt/d$' "$TMP/out" "fchdir to it"
expect_grep '^exe /mnt/rl$' "$TMP/out" "readlink /proc/self/exe of a program in a bind"
expect_grep '^fdpath inside PRETTY_NAME$' "$TMP/out" "/proc/self/fd/N/name beneath a held directory"
done_test
