#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A relative name that leaves the cwd by ".." into a bind: from the cwd
# /mnt/z/y/q, "../b/f" with a bind at /mnt/z/y/b walks q and y only,
# never /mnt/z. The search check above a bind's place (bindsearch.c)
# asked lx about /mnt/z/y by its absolute name whenever the parent was
# not beneath the cwd, so with /mnt/z made 000 the read was EACCES where
# Linux's gives the file; and it never asked about the cwd itself. Now
# lx walks "..", from the cwd, as Linux does (a native run as nobody
# gives the same five lines).
# shellcheck disable=SC2016 # expanded by the guest shell
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
b=$TMP/bind
mkdir -p "$b"
echo hi >"$b/f"
chmod 755 "$b"
chmod 644 "$b/f"
kbo "$TMP/prep" -S "$img" -- /bin/sh -c \
	'mkdir -p /mnt/z/y/b /mnt/z/y/q && chown -R 1000:1000 /mnt/z'
expect_status 0 $? "the image gets /mnt/z/y/{b,q}, 1000's"

kbo "$TMP/u" -R "$img" --change-id 1000:1000 -b "$b:/mnt/z/y/b" -- /bin/sh -c '
cd /mnt/z/y/q && chmod 000 /mnt/z
cat ../b/f; echo "z000: $?"
chmod 100 ..
cat ../b/f; echo "y100: $?"
chmod 000 ..
cat ../b/f; echo "y000: $?"
chmod 755 ..
cat ../b/f; echo "y755: $?"
chmod 000 .
cat ../b/f; echo "cwd000: $?"'
expect_status 0 $? "the shell ran"
for w in "z000: 0" "y100: 0" "y000: 1" "y755: 0" "cwd000: 1"; do
	expect_grep "^$w\$" "$TMP/u" "as 1000 from /mnt/z/y/q: $w"
done
expect_grep "cat: ../b/f: Permission denied" "$TMP/u" "the refusals' error"
done_test
