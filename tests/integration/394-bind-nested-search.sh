#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The search right on the way to a bind's place when that way is not
# the image's alone. Nested binds (-b A:/mnt/a -b B:/mnt/a/sub/b, A/sub
# mode 000 root's): lx's walk to the place's parent stopped at A's trap
# (EXDEV), so --change-id 1000:1000 read /mnt/a/sub/b/f, entered it (cd,
# -w) and did so by names relative to /mnt, to the cwd /mnt/a and to a
# directory fd of it; natively each is EACCES at A/sub. And a name that
# leaves a bind by ".." into the image and enters another bind
# (-b A:/x/a -b B:/y/b, /y 0700 root's): from the cwd /x/a, or a
# directory fd of it, ../../y/b/f was read where Linux's walk stops at
# /y. The same walks through searchable directories still read (a
# native run with real bind mounts as nobody gives the same lines).
# shellcheck disable=SC2016 # expanded by the guest shell
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
A=$TMP/A
B=$TMP/B
mkdir -p "$A/sub/b" "$A/open/b" "$A/q" "$B"
echo hi >"$B/f"
chmod 755 "$A" "$A/sub" "$A/open" "$A/sub/b" "$A/open/b" "$A/q" "$B"
chmod 644 "$B/f"
chmod 000 "$A/sub"
kbo "$TMP/prep" -S "$img" -- /bin/sh -c \
	'mkdir -p /x/a /y/b /z/c && chmod 700 /y'
expect_status 0 $? "the image gets /x/a, /y (0700 root's) and /z"
R=/opt/kbox-tests/openat-read

kbo "$TMP/n" -R "$img" --change-id 1000:1000 -b "$A:/mnt/a" \
	-b "$B:/mnt/a/sub/b" -b "$B:/mnt/a/open/b" -- /bin/sh -c "
cat /mnt/a/sub/b/f; echo \"abs: \$?\"
cd /mnt && cat a/sub/b/f; echo \"from /mnt: \$?\"
cd /mnt/a && cat sub/b/f; echo \"from /mnt/a: \$?\"
cd /mnt/a/q && cat ../sub/b/f; echo \"from /mnt/a/q: \$?\"
cd /mnt/a/sub/b; echo \"cd: \$?\"
$R /mnt/a sub/b/f; echo \"dirfd: \$?\"
cat /mnt/a/open/b/f; echo \"open abs: \$?\"
cd /mnt/a && cat open/b/f; echo \"open from /mnt/a: \$?\"
$R /mnt/a open/b/f; echo \"open dirfd: \$?\""
expect_status 0 $? "nested binds: the shell ran"
for w in "abs: 1" "from /mnt: 1" "from /mnt/a: 1" "from /mnt/a/q: 1" \
	"cd: 2" "dirfd: 1" "open abs: 0" "open from /mnt/a: 0" "open dirfd: 0"; do
	expect_grep "^$w\$" "$TMP/n" "nested: $w"
done
expect_grep '^openat sub/b/f: EACCES$' "$TMP/n" "nested: the dirfd's errno"
expect_grep "cat: sub/b/f: Permission denied" "$TMP/n" "nested: cat's error"
expect_grep "can't cd to /mnt/a/sub/b" "$TMP/n" "nested: cd's error"
n=$(grep -c '^hi$' "$TMP/n")
if [ "$n" -eq 3 ]; then
	pass "nested: read only through A/open"
else
	fail "nested: read only through A/open: $n"
fi

kbo "$TMP/w" -R "$img" --change-id 1000:1000 -b "$A:/mnt/a" \
	-b "$B:/mnt/a/sub/b" -w /mnt/a/sub/b -- /bin/pwd
expect_status 1 $? "nested: -w /mnt/a/sub/b as 1000"
expect_grep "^kbox: work dir '/mnt/a/sub/b': Permission denied$" "$TMP/w" "nested: -w's line"

kbo "$TMP/l" -R "$img" --change-id 1000:1000 -b "$A:/x/a" -b "$B:/y/b" \
	-b "$B:/z/c" -- /bin/sh -c "
cat /x/a/../../y/b/f; echo \"abs: \$?\"
cd /x/a && cat ../../y/b/f; echo \"from /x/a: \$?\"
cd /x/a/open && cat ../../../y/b/f; echo \"from /x/a/open: \$?\"
$R /x/a ../../y/b/f; echo \"dirfd: \$?\"
cd /x/a && cat ../../z/c/f; echo \"z from /x/a: \$?\"
$R /x/a ../../z/c/f; echo \"z dirfd: \$?\""
expect_status 0 $? "out by '..': the shell ran"
for w in "abs: 1" "from /x/a: 1" "from /x/a/open: 1" "dirfd: 1" \
	"z from /x/a: 0" "z dirfd: 0"; do
	expect_grep "^$w\$" "$TMP/l" "out by '..': $w"
done
expect_grep "cat: ../../y/b/f: Permission denied" "$TMP/l" "out by '..': cat's error"
n=$(grep -c '^hi$' "$TMP/l")
if [ "$n" -eq 2 ]; then
	pass "out by '..': read only through /z"
else
	fail "out by '..': read only through /z: $n"
fi

# a guest root: with CAP_DAC_READ_SEARCH it reads through A/sub; without
# it and CAP_DAC_OVERRIDE, A/sub (000, root's) stops it, as natively,
# and so does a bind directory of mode 000 (chdir, ls)
mkdir -p "$A/open/p"
chmod 000 "$A/open/p"
for how in caps nodac; do
	pre=""
	[ "$how" = nodac ] && pre=/opt/kbox-tests/nodac-exec
	kbo "$TMP/r$how" -R "$img" -b "$A:/mnt/a" -b "$B:/mnt/a/sub/b" -- \
		$pre /bin/sh -c '
cat /mnt/a/sub/b/f; echo "root: $?"
cd /mnt/a/open/p; echo "root cd: $?"'
	expect_status 0 $? "root ($how): the shell ran"
done
expect_grep '^root: 0$' "$TMP/rcaps" "root with its capabilities reads"
expect_grep '^root cd: 0$' "$TMP/rcaps" "root with its capabilities enters"
expect_grep '^root: 1$' "$TMP/rnodac" "root without DAC capabilities: EACCES"
expect_grep '^root cd: 2$' "$TMP/rnodac" "root without DAC capabilities: cd refused"
done_test
