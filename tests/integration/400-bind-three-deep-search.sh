#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Three binds nested (-b A:/mnt/a -b B:/mnt/a/s1/b -b C:/mnt/a/s1/b/s2/c)
# with A/s1 000 root's: from the cwd /mnt/a (or a directory fd of it),
# --change-id 1000:1000 read s1/b/s2/c/f. kbox judged the way in B up
# to C's place (s2) and stopped there, never reaching the way in A up to
# B's place (s1); natively the walk stops at A/s1 (EACCES). The path's
# absolute form and the same names with every directory searchable are
# the same as a native run with real bind mounts as nobody.
# shellcheck disable=SC2016 # expanded by the guest shell
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
A=$TMP/A
B=$TMP/B
C=$TMP/C
mkdir -p "$A/s1/b" "$B/s2/c" "$C"
echo deep >"$C/f"
chmod 755 "$A" "$A/s1" "$A/s1/b" "$B" "$B/s2" "$B/s2/c" "$C"
chmod 644 "$C/f"
R=/opt/kbox-tests/openat-read
binds=(-b "$A:/mnt/a" -b "$B:/mnt/a/s1/b" -b "$C:/mnt/a/s1/b/s2/c")
script="
cat /mnt/a/s1/b/s2/c/f; echo \"abs: \$?\"
cd /mnt/a && cat s1/b/s2/c/f; echo \"from a: \$?\"
$R /mnt/a s1/b/s2/c/f; echo \"dirfd a: \$?\""

kbo "$TMP/open" -R "$img" --change-id 1000:1000 "${binds[@]}" -- \
	/bin/sh -c "$script"
expect_status 0 $? "searchable: the shell ran"
for w in "abs: 0" "from a: 0" "dirfd a: 0"; do
	expect_grep "^$w\$" "$TMP/open" "searchable: $w"
done

chmod 000 "$A/s1"
kbo "$TMP/shut" -R "$img" --change-id 1000:1000 "${binds[@]}" -- \
	/bin/sh -c "$script"
expect_status 0 $? "A/s1 000: the shell ran"
for w in "abs: 1" "from a: 1" "dirfd a: 1"; do
	expect_grep "^$w\$" "$TMP/shut" "A/s1 000: $w"
done
expect_grep "cat: s1/b/s2/c/f: Permission denied" "$TMP/shut" "A/s1 000: cat's error"
expect_grep '^openat s1/b/s2/c/f: EACCES$' "$TMP/shut" "A/s1 000: the dirfd's errno"
if grep -q '^deep$' "$TMP/shut"; then
	fail "A/s1 000: C's file was read"
else
	pass "A/s1 000: C's file not read"
fi
chmod 755 "$A/s1"
done_test
