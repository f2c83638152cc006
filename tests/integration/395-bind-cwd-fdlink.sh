#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# chdir through /proc/self/fd/N, N a directory fd in a bind: kbox kept
# the link's text as the cwd's path, so getcwd, /bin/pwd and
# /proc/self/cwd said "/proc/self/fd/3", `cat f` there was ENOENT while
# `ls` listed f, and ../ names failed. Linux's chdir follows the magic
# link to the directory: getcwd gives its path and relative names are
# walked from it (dash's builtin pwd keeps the logical "/proc/self/fd/3",
# natively too). An image directory's fd was right already. And a
# rootless kbox let any guest chdir that way into a bind directory its
# host user may not search (mode 000, the user's): natively EACCES, as
# the path's chdir is (388, 390). Run as nobody when the tests run as
# root.
# shellcheck disable=SC2016 # expanded by the guest shell
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
b=$TMP/bind
mkdir -p "$b/d"
echo hi >"$b/d/f"
echo up >"$b/g"
chmod 755 "$b" "$b/d"
chmod 644 "$b/d/f" "$b/g"
kbo "$TMP/u" -R "$img" -b "$b:/mnt/b" -- /bin/sh -c '
exec 3</mnt/b/d
cd /proc/self/fd/3; echo "cd: $?"
echo "builtin: $(pwd)"
echo "bin: $(/bin/pwd)"
echo "link: $(readlink /proc/self/cwd)"
echo "ls: $(ls)"
echo "cat: $(cat f)"
echo "up: $(cat ../g)"
exec 4</etc
cd /proc/self/fd/4 && echo "image: $(/bin/pwd)"'
expect_status 0 $? "the shell ran"
for w in "cd: 0" "builtin: /proc/self/fd/3" "bin: /mnt/b/d" "link: /mnt/b/d" \
	"ls: f" "cat: hi" "up: up" "image: /etc"; do
	expect_grep "^$w\$" "$TMP/u" "$w"
done

rootless_run_as
d=$(mktemp -d /tmp/kbox-395.XXXXXX)
cp --sparse=always "$IMG" "$d/img"
mkdir -p "$d/b/u"
chmod 755 "$d" "$d/b" "$d/b/u"
chmod 666 "$d/img"
[ "$(id -u)" -eq 0 ] && chown -R 65534:65534 "$d"
kbox_abs=$(cd "$(dirname "$KBOX")" && pwd)/$(basename "$KBOX")
for how in "--change-id 1000:1000" "-0"; do
	# shellcheck disable=SC2086 # $how is a word list
	timeout -k 5 "$KB_TIMEOUT" "${run_as[@]}" env HOME="$d" "$kbox_abs" \
		-R "$d/img" $how -b "$d/b:/mnt/b" -- /bin/sh -c '
exec 3</mnt/b/u
chmod 000 /mnt/b/u
cd /proc/self/fd/3; echo "cd 000: $?"
chmod 755 /mnt/b/u
cd /proc/self/fd/3; echo "cd 755: $?"
/bin/pwd' >"$TMP/rl" 2>&1 </dev/null
	expect_status 0 $? "rootless $how: the shell ran"
	expect_grep '^cd 000: 2$' "$TMP/rl" "rootless $how: into the 000 directory refused"
	expect_grep '^cd 755: 0$' "$TMP/rl" "rootless $how: entered once searchable"
	expect_grep '^/mnt/b/u$' "$TMP/rl" "rootless $how: its path"
done
chmod -R u+rwX "$d"
rm -rf "$d"
done_test
