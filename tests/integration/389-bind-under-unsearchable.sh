#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A bind under an image directory the guest user may not search: with
# /mnt/x 0700 root's and a bind at /mnt/x/b, --change-id 1000:1000
# reached the bind by its path's text, so cd, ls, cat, stat, exec and -w
# of /mnt/x/b all worked where Linux's walk stops at /mnt/x (EACCES).
# lx now judges the image's directories above the bind's place as the
# guest: at once after a chmod of them (a directory of the user's made
# 000 mid-run, then 755 again), from the cwd for a relative name, never
# for names relative to a directory fd in the bind. Root (-S, -0) keeps
# its CAP_DAC_READ_SEARCH.
# shellcheck disable=SC2016 # expanded by the guest shell
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
b=$TMP/bind
mkdir -p "$b/sub"
echo hi >"$b/f"
cp /bin/true "$b/prog"
chmod 755 "$b" "$b/sub" "$b/prog"
chmod 644 "$b/f"
kbo "$TMP/prep" -S "$img" -- /bin/sh -c \
	'mkdir -p /mnt/x/b /mnt/y/b && chmod 700 /mnt/x && chown 1000:1000 /mnt/y'
expect_status 0 $? "the image gets /mnt/x (0700 root) and /mnt/y (1000's)"

kbo "$TMP/u" -R "$img" --change-id 1000:1000 -b "$b:/mnt/x/b" -- /bin/sh -c '
cd /mnt/x/b; echo "cd: $?"
ls /mnt/x/b; echo "ls: $?"
cat /mnt/x/b/f; echo "cat: $?"
stat /mnt/x/b/f >/dev/null; echo "stat: $?"
/mnt/x/b/prog; echo "exec: $?"'
expect_status 0 $? "the shell ran"
for w in "cd: 2" "ls: 2" "cat: 1" "stat: 1" "exec: 126"; do
	expect_grep "^$w\$" "$TMP/u" "as 1000, EACCES: $w"
done
expect_no_grep '^hi$' "$TMP/u" "the file was not read"
expect_grep "cat: /mnt/x/b/f: Permission denied" "$TMP/u" "cat's error"

kbo "$TMP/w" -R "$img" --change-id 1000:1000 -b "$b:/mnt/x/b" -w /mnt/x/b -- /bin/pwd
expect_status 1 $? "-w /mnt/x/b as 1000"
expect_grep "^kbox: work dir '/mnt/x/b': Permission denied$" "$TMP/w" "-w's line"

kbo "$TMP/above" -R "$img" --change-id 1000:1000 -b "$b:/mnt/y/b" -- \
	/opt/kbox-tests/bind-search-right above /mnt/y /mnt/y/b
expect_status 0 $? "the user's own parent made 000 and back"
expect_grep '^19 passed, 0 failed$' "$TMP/above" "each check"

# relative to the cwd: only the cwd is searched (x without r suffices)
kbo "$TMP/rel" -R "$img" --change-id 1000:1000 -b "$b:/mnt/y/b" -- /bin/sh -c '
cd /mnt/y && chmod 000 /mnt/y
cat b/f; echo "rel 000: $?"
chmod 100 /mnt/y
cat b/f; echo "rel 100: $?"
cat /mnt/y/b/f; echo "abs 100: $?"
chmod 755 /mnt/y'
expect_status 0 $? "relative names from the cwd"
expect_grep '^rel 000: 1$' "$TMP/rel" "cwd 000: EACCES"
expect_grep '^rel 100: 0$' "$TMP/rel" "cwd --x: read"
expect_grep '^abs 100: 0$' "$TMP/rel" "--x: read by its absolute name"

for opt in -S "-0 -R"; do
	# shellcheck disable=SC2086 # $opt is a word list
	kbo "$TMP/r" $opt "$img" -b "$b:/mnt/x/b" -w /mnt/x/b -- /bin/sh -c \
		'pwd; cat /mnt/x/b/f; ls /mnt/x/b >/dev/null && echo listed'
	expect_status 0 $? "$opt: root in /mnt/x/b"
	expect_grep '^/mnt/x/b$' "$TMP/r" "$opt: -w entered"
	expect_grep '^hi$' "$TMP/r" "$opt: read"
	expect_grep '^listed$' "$TMP/r" "$opt: listed"
done
done_test
