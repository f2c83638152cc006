#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A relative name that leaves a bind directory by ".." looks its next
# name up in the bind place's parent, so Linux needs the search right
# there. With the cwd (or a directory fd) at the bind /x/a and /x made
# 000 by its owner, kbox read ../a/q/f (back into the same bind, routed
# as the bind's q/f) and ../../etc/hostname (into the image, walked by
# lx from "/"): natively both are EACCES at /x. A last ".." stops at /x
# unsearched (ls .. stats it, natively too), and once /x is searchable
# again both read (the same lines as a native run with a real bind
# mount as nobody).
# shellcheck disable=SC2016 # expanded by the guest shell
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
A=$TMP/A
mkdir -p "$A/q"
echo qq >"$A/q/f"
chmod 755 "$A" "$A/q"
chmod 644 "$A/q/f"
kbo "$TMP/prep" -S "$img" -- /bin/sh -c \
	'mkdir -p /x/a && chown 1000:1000 /x && chmod 755 /x'
expect_status 0 $? "the image gets /x, 1000's"
R=/opt/kbox-tests/openat-read

kbo "$TMP/u" -R "$img" --change-id 1000:1000 -b "$A:/x/a" -- /bin/sh -c "
cd /x/a; echo \"cd: \$?\"
exec 3</x/a
chmod 000 /x; echo \"chmod: \$?\"
cat q/f; echo \"in: \$?\"
cat ../a/q/f; echo \"back: \$?\"
cat ../../x/a/q/f; echo \"back from /: \$?\"
cat ../../etc/hostname >/dev/null; echo \"image: \$?\"
ls .. >/dev/null; echo \"ls ..: \$?\"
$R /proc/self/fd/3 ../a/q/f; echo \"dirfd back: \$?\"
chmod 755 /x
cat ../a/q/f; echo \"755 back: \$?\"
cat ../../etc/hostname >/dev/null; echo \"755 image: \$?\"
$R /proc/self/fd/3 ../a/q/f; echo \"755 dirfd back: \$?\""
expect_status 0 $? "the shell ran"
for w in "cd: 0" "chmod: 0" "in: 0" "back: 1" "back from /: 1" "image: 1" \
	"ls ..: 2" "dirfd back: 1" "755 back: 0" "755 image: 0" \
	"755 dirfd back: 0"; do
	expect_grep "^$w\$" "$TMP/u" "$w"
done
expect_grep "cat: ../a/q/f: Permission denied" "$TMP/u" "cat's error"
expect_grep "ls: cannot open directory '..': Permission denied" "$TMP/u" \
	"ls .. stats /x and fails at its listing"
expect_grep '^openat ../a/q/f: EACCES$' "$TMP/u" "the dirfd's errno"
n=$(grep -c '^qq$' "$TMP/u")
if [ "$n" -eq 3 ]; then
	pass "read in the bind and once /x is searchable"
else
	fail "read in the bind and once /x is searchable: $n"
fi
done_test
