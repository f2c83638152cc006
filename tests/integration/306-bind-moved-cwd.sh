#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/bind-moved-dir: a cwd and a dir fd in a bind whose
# directory is renamed (itself, or one above it, by this or another
# guest process) or removed stay that directory, as in Linux. kbox kept
# the cwd by its path text: after `mv` getcwd, /proc/self/cwd and
# relative calls used the old path (ENOENT); from a removed directory
# "." and ".." were ENOENT, or a directory made again under its name was
# reached (a file was created in it). ".." up to and across the bind's
# root lands in the image at the bind's place's parent.
. "$(dirname "$0")/lib/common.sh"
require
mkdir -p "$TMP/b" && chmod 777 "$TMP/b"
run_guest_test "-b $TMP/b:/mnt/b -S" bind-moved-dir /mnt/b
rm -rf "${TMP:?}/b"/*
run_guest_test "-b $TMP/b:/mnt/b --change-id 1000:1000 -R" bind-moved-dir /mnt/b
# a shell sitting in a directory another command renames from above
rm -rf "${TMP:?}/b"/*
img=$(own_img)
kbo "$TMP/sh.out" -b "$TMP/b:/mnt/b" -S "$img" -- /bin/sh -c \
	'mkdir -p /mnt/b/s/p/q && cd /mnt/b/s/p/q && touch f &&
	mv /mnt/b/s/p /mnt/b/s/p2 && pwd -P && ls && touch g &&
	ls /mnt/b/s/p2/q | tr "\n" " " && echo && cd -P .. && pwd -P'
expect_status 0 $? "shell: mv of a directory above the cwd"
printf '%s\n' /mnt/b/s/p2/q f "f g " /mnt/b/s/p2 >"$TMP/sh.want"
if cmp -s "$TMP/sh.want" "$TMP/sh.out"; then
	pass "shell: pwd -P, ls, touch and cd -P .. follow the rename"
else
	fail "shell: output differs:"
	diff "$TMP/sh.want" "$TMP/sh.out" | sed 's/^/    | /'
fi
done_test
