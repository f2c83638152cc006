#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# faccessat2 with AT_SYMLINK_NOFOLLOW checks a symlink itself, in a bind
# as in the image: kbox opened the bind path following its last link, so
# a dangling link was ENOENT. util-linux's `rename -s` (and its test
# suite's rename/symlink, rename/subdir) refused every link it was to
# retarget with "not accessible"; os.access(follow_symlinks=False) too.
. "$(dirname "$0")/lib/common.sh"
require
mkdir -p "$TMP/b" && chmod 777 "$TMP/b"
ln -s nowhere "$TMP/b/dangling"
ln -s /nowhere/abs "$TMP/b/dangling-abs"
out=$TMP/out
# shellcheck disable=SC2016 # expanded in the guest
kbo "$out" -S "$IMG" -b "$TMP/b:/mnt/b" -- /usr/bin/python3 -c '
import os
for d in ("/mnt/b", "/tmp"):
    if d == "/tmp":
        os.symlink("nowhere", "/tmp/dangling")
        os.symlink("/nowhere/abs", "/tmp/dangling-abs")
    for n in ("dangling", "dangling-abs"):
        p = d + "/" + n
        print(p, "nofollow", os.access(p, os.F_OK, follow_symlinks=False),
              "follow", os.access(p, os.F_OK))
os.chdir("/mnt/b")
print("relative nofollow", os.access("dangling", os.W_OK, follow_symlinks=False))
'
expect_status 0 $? "guest script"
expect_grep '^/mnt/b/dangling nofollow True follow False$' "$out" "bind: a dangling link exists without following"
expect_grep '^/mnt/b/dangling-abs nofollow True follow False$' "$out" "bind: a dangling absolute link too"
expect_grep '^relative nofollow True$' "$out" "bind: relative to a cwd in the bind"
expect_grep '^/tmp/dangling nofollow True follow False$' "$out" "lx's tmpfs (as before)"
done_test
