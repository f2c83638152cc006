#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# "." or ".." as the last name of a path in a bind is looked up in its
# directory, which needs the right to search it (found by
# tests/guest/inotify-fuzz): with a cwd of mode 0644 in a bind, a guest
# user's rmdir("."), unlink("."), mkdir(".") and symlink("a", ".") were
# EINVAL, EISDIR, EEXIST and EEXIST; natively all are EACCES.
. "$(dirname "$0")/lib/common.sh"
require
b=$TMP/b
mkdir -p "$b" && chmod 777 "$b"
kbo "$TMP/out" -b "$b:/mnt/b" --change-id 1000:1000 -R "$IMG" -- /bin/sh -c '
	mkdir /mnt/b/d && cd /mnt/b/d && chmod 644 . || exit 9
	rmdir . 2>&1; unlink . 2>&1; mkdir . 2>&1; ln -s a . 2>&1; mkdir ../d/.. 2>&1
	chmod 755 /mnt/b/d; rmdir . 2>&1; mkdir .. 2>&1; exit 0'
expect_status 0 $? "kbox ran"
sed 's/^/    | /' "$TMP/out"
n=$(head -5 "$TMP/out" | grep -c 'Permission denied')
if [ "$n" -eq 5 ]; then pass "five EACCES"; else fail "$n of 5 calls said EACCES"; fi
expect_grep "rmdir: .*Invalid argument" "$TMP/out" "searchable again: rmdir . is EINVAL"
expect_grep "mkdir: .*File exists" "$TMP/out" "and mkdir .. EEXIST"
done_test
