#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A program run by a relative path from a cwd inside a bind names itself
# in /proc/self/exe by its full guest path (it was the path relative to
# the bind's root: "/bin/x" for /mnt/bin/x; Go's os.Executable); with a
# bind given, a relative name from a cwd near PATH_MAX in the image works
# (it was ENAMETOOLONG once cwd + name passed 4096 bytes; Go's
# TestRemoveAllLongPath).
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
b=$TMP/bind
mkdir -p "$b/bin" "$b/sub"
kbo "$TMP/out" -S "$img" -b "$b:/mnt" -- /bin/sh -c '
	cp /usr/bin/readlink /mnt/bin/rl
	cd /mnt && echo "rel $(bin/rl /proc/self/exe)"
	cd /mnt/sub && echo "dots $(../bin/rl /proc/self/exe)"
	python3 -c "
import os, tempfile
os.chdir(tempfile.mkdtemp())
for i in range(41):
    os.mkdir(\"a\" * 100); os.chdir(\"a\" * 100)
print(\"deep ok\")
"'
expect_status 0 $? "relative exec in a bind, deep cwd"
expect_grep '^rel /mnt/bin/rl$' "$TMP/out" "/proc/self/exe of bin/rl run from the bind's root"
expect_grep '^dots /mnt/bin/rl$' "$TMP/out" "/proc/self/exe of ../bin/rl run from a bind subdirectory"
expect_grep '^deep ok$' "$TMP/out" "mkdir+chdir of 100-byte names past PATH_MAX with a bind given"
done_test
