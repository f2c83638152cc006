#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# An image with chattr +i (or +a) cannot be opened read-write, even by
# root: kbox said only "cannot open image 'x': Operation not permitted".
# It now names the attribute and says -m ro reads it; -m ro runs.
. "$(dirname "$0")/lib/common.sh"
require_kbox
require_cmd mke2fs chattr
ops=$BUILD/guest/image-ops
[ -x "$ops" ] || skip "$ops not built (make guest-tests)"
mkdir -p "$TMP/stage/opt" || fail "stage"
cp "$ops" "$TMP/stage/opt/" || fail "stage"
img=$TMP/attr.img
mke2fs -q -F -t ext4 -d "$TMP/stage" "$img" 8M || fail "mke2fs"
# shellcheck disable=SC2064 # $img now
trap "chattr -i -a '$img' 2>/dev/null; cleanup" EXIT
chattr +i "$img" 2>/dev/null || skip "chattr +i refused here (needs root and a file system with the flag)"

kbo "$TMP/i.out" -r "$img" -- /opt/image-ops /d
expect_status 1 $? "an immutable image read-write"
expect_grep "^kbox: cannot open image '.*attr.img' read-write: it is immutable \(chattr \+i\); -m ro reads it$" \
	"$TMP/i.out" "the attribute named"
check "just that line" test "$(wc -l <"$TMP/i.out")" -eq 1
kbo "$TMP/ro.out" -m ro -r "$img" -- /opt/image-ops /d
expect_grep "^FAIL - mkdir /d \(errno 30" "$TMP/ro.out" "-m ro runs it (EROFS for writes)"

chattr -i "$img" || fail "chattr -i"
chattr +a "$img" || fail "chattr +a"
kbo "$TMP/a.out" -r "$img" -- /opt/image-ops /d
expect_status 1 $? "an append-only image read-write"
expect_grep "^kbox: cannot open image '.*attr.img' read-write: it is append-only \(chattr \+a\); -m ro reads it$" \
	"$TMP/a.out" "the attribute named"
done_test
