#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Path calls on a bind (-b) answer as on Linux: readlink of a file that is
# no symlink is EINVAL (it was ENOENT, so glibc's realpath() failed for
# every bind path), and statfs, truncate, chown and utimes/futimesat run
# on the host file (they were all EACCES: Node's statfs and chown failed).
. "$(dirname "$0")/lib/common.sh"
require
mkdir -p "$TMP/b/d"
echo content >"$TMP/b/d/file"
touch -d '2001-01-01' "$TMP/b/d/file"

# shellcheck disable=SC2016 # expanded by the guest's shell
kbo "$TMP/out" -R "$IMG" -b "$TMP/b:/mnt/b" -- /bin/sh -c '
	cd /mnt/b/d
	realpath file
	readlink -f file
	python3 -c "
import errno, os
try:
    os.readlink(\"/mnt/b/d/file\")
except OSError as e:
    print(\"readlink\", errno.errorcode[e.errno])
print(\"statvfs\", os.statvfs(\"/mnt/b/d\").f_bsize > 0)
try:
    os.statvfs(\"/mnt/b/missing\")
except OSError as e:
    print(\"statvfs missing\", errno.errorcode[e.errno])
os.truncate(\"/mnt/b/d/file\", 3)
print(\"size\", os.stat(\"/mnt/b/d/file\").st_size)
st = os.stat(\"/mnt/b/d/file\")
os.chown(\"/mnt/b/d/file\", st.st_uid, st.st_gid)
print(\"chown ok\")
os.utime(\"/mnt/b/d/file\", (1000000000, 1000000000))
print(\"mtime\", int(os.stat(\"/mnt/b/d/file\").st_mtime))"'
expect_status 0 $? "the guest runs"
expect_grep '^/mnt/b/d/file$' "$TMP/out" "realpath of a bind file"
expect_grep '^readlink EINVAL$' "$TMP/out" "readlink of a file that is no symlink: EINVAL"
expect_grep '^statvfs True$' "$TMP/out" "statfs of a bind directory"
expect_grep '^statvfs missing ENOENT$' "$TMP/out" "statfs of a missing bind path: ENOENT"
expect_grep '^size 3$' "$TMP/out" "truncate by path"
expect_grep '^chown ok$' "$TMP/out" "chown to the file's own ids"
expect_grep '^mtime 1000000000$' "$TMP/out" "utime"
[ "$(cat "$TMP/b/d/file")" = con ] && pass "the host file was truncated" || fail "host file: $(cat "$TMP/b/d/file")"
[ "$(stat -c %Y "$TMP/b/d/file")" = 1000000000 ] && pass "the host file's mtime changed" ||
	fail "host mtime $(stat -c %Y "$TMP/b/d/file")"
done_test
