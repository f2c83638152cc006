#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# -w is entered as the guest user: with --change-id 1000:1000 a directory
# the user may not search (the image's 0700 /root, a mode 000 directory
# in a bind, one below it, a link of the image to either) fails as
# `env --chdir` or runc would: one line naming the directory and EACCES,
# status 1, the image left clean. kbox entered it as root before taking
# the user's ids, and the command started there (`pwd` worked, `ls .`
# said EACCES). Root (-S, -0) enters them all.
# shellcheck disable=SC2016 # expanded by the guest shell
. "$(dirname "$0")/lib/common.sh"
require
require_cmd e2fsck
img=$(own_img)
b=$TMP/bind
mkdir -p "$b/priv/sub" "$b/open"
chmod 000 "$b/priv" # no search for 1000, nor for a rootless kbox's user

kbo "$TMP/links" -S "$img" -- /bin/sh -c 'ln -s /root /rl && ln -s /mnt/b/priv /bl'
expect_status 0 $? "links made in the image"

n=0
for w in /root /rl /mnt/b/priv /mnt/b/priv/sub /bl; do
	n=$((n + 1))
	kbo "$TMP/u$n" -R "$img" --change-id 1000:1000 -b "$b:/mnt/b" -w "$w" -- /bin/sh -c 'echo started in $(pwd)'
	st=$?
	expect_status 1 "$st" "-w $w as 1000"
	expect_grep "^kbox: work dir '$w': Permission denied$" "$TMP/u$n" "-w $w: one line naming it and EACCES"
	expect_no_grep 'started' "$TMP/u$n" "-w $w: the command never started"
	check "-w $w: the image is clean" sh -c "e2fsck -fn '$img' >/dev/null 2>&1"
done

# what the user may search is entered as before
kbo "$TMP/ok" -R "$img" --change-id 1000:1000 -b "$b:/mnt/b" -w /mnt/b/open -- /bin/sh -c 'pwd; ls . && echo listed'
expect_status 0 $? "-w into a bind directory the user may search"
expect_grep '^/mnt/b/open$' "$TMP/ok" "started there"
expect_grep '^listed$' "$TMP/ok" "and lists it"
kbo "$TMP/ok2" -R "$img" --change-id 1000:1000 -w /tmp -- /bin/sh -c 'pwd'
expect_status 0 $? "-w /tmp as 1000"

# root enters each
for opt in -S "-0 -R"; do
	for w in /root /mnt/b/priv/sub /bl; do
		# shellcheck disable=SC2086 # $opt is a word list
		kbo "$TMP/r" $opt "$img" -b "$b:/mnt/b" -w "$w" -- /bin/sh -c 'echo in $(pwd)'
		expect_status 0 $? "$opt -w $w"
		expect_grep '^in /' "$TMP/r" "$opt -w $w: started"
	done
done
check "the image is clean at the end" sh -c "e2fsck -fn '$img' >/dev/null 2>&1"
done_test
