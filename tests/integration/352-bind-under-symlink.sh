#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A bind whose place lies under a symlink in the image is where the link
# leads, as mount(2) resolves its target: with /hh -> var/hh, -b D:/hh/me
# is at /var/hh/me. kbox put no trap there and routed /hh/me by its
# text: /var/hh/me stayed the image's (here missing), /proc/mounts did
# not list the bind, and a guest tmpfs over /var/hh did not hide it.
# shellcheck disable=SC2016 # expanded by the guest shell
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
b=$TMP/bind
mkdir -p "$b"
echo hostfile >"$b/f"
printf '#!/bin/sh\necho "tool ran $*"\n' >"$b/tool"
chmod +x "$b/tool"
kbo "$TMP/prep" -S "$img" -- /bin/sh -c 'mkdir -p /var/hh && ln -s var/hh /hh'
expect_status 0 $? "the image gets a symlink"

kbo "$TMP/out" -S "$img" -b "$b:/hh/me" -w /hh/me -- /bin/sh -c '
	echo cwd: $(cat f) $(pwd -P)
	echo text: $(ls /hh/me)
	echo target: $(ls /var/hh/me)
	echo link: $(readlink /hh)
	echo listed: $(grep -c "^[^ ]* /var/hh/me kbox-bind " /proc/mounts)
	cd / && busybox mount -t tmpfs tmpfs /var/hh || echo mount failed
	ls /hh/me 2>/dev/null || echo covered: gone
	busybox umount /var/hh || echo umount failed
	echo after: $(cat /hh/me/f)'
expect_status 0 $? "a bind under a symlink"
expect_grep '^cwd: hostfile /var/hh/me$' "$TMP/out" "-w through the link is in the bind, at its target"
expect_grep '^text: f tool$' "$TMP/out" "the path given reaches the bind"
expect_grep '^target: f tool$' "$TMP/out" "so does the link's target"
expect_grep '^link: var/hh$' "$TMP/out" "the link stays a link"
expect_grep '^listed: 1$' "$TMP/out" "/proc/mounts lists the bind at the target"
expect_grep '^covered: gone$' "$TMP/out" "a tmpfs over the target's parent hides it"
expect_grep '^after: hostfile$' "$TMP/out" "after the umount it is back"
kbo "$TMP/out3" -S "$img" -b "$b:/hh/me" -- /hh/me/tool a
expect_grep '^tool ran a$' "$TMP/out3" "a command named through the link runs"
kbo "$TMP/out4" -S "$img" -b "$b:/hh/me" -w /hh/me -- ./tool b
expect_grep '^tool ran b$' "$TMP/out4" "and one relative to -w there"
kbo "$TMP/out2" -r "$img" -- /bin/sh -c 'ls -A /var/hh; echo listed'
expect_grep '^listed$' "$TMP/out2" "the image is readable after the run"
check "the made place is gone after the run" bash -c "! grep -qx me '$TMP/out2'"
done_test
