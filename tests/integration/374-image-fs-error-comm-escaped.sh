#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# kbox's word on an ext4 error found during the run quotes ext4's line,
# which names the guest's comm: a program's name (or PR_SET_NAME) the
# guest chose. Its control bytes reached kbox's stderr as they were, so
# a guest's program named "\e[31mRED\e[0m" (or \e]0;...\a, a title)
# drove the user's terminal; they are shown as \xHH now, as dmesg does.
. "$(dirname "$0")/lib/common.sh"
require_kbox
require_cmd mke2fs debugfs
ops=$BUILD/guest/image-ops
[ -x "$ops" ] || skip "$ops not built (make guest-tests)"
name=$'\e[31mRED\e[0m'
mkdir -p "$TMP/stage/opt" "$TMP/stage/c" || fail "stage"
cp "$ops" "$TMP/stage/opt/" || fail "stage"
ln -s image-ops "$TMP/stage/opt/$name" || fail "stage link"
for i in 1 2 3; do echo "$i" >"$TMP/stage/c/f$i"; done
img=$TMP/cor.img
mke2fs -q -F -t ext4 -b 1024 -e remount-ro -d "$TMP/stage" "$img" 8M || fail "mke2fs"
blk=$(debugfs -R "blocks /c" "$img" 2>/dev/null | awk '{print $1}')
[ -n "$blk" ] || fail "no block of /c"
dd if=/dev/zero of="$img" bs=1024 seek="$blk" count=1 conv=notrunc status=none

kbo "$TMP/err.out" -r "$img" -- "/opt/$name" /c/new
expect_status 1 $? "the guest's mkdir in the damaged directory fails"
sed 's/^/    | /' "$TMP/err.out" | cat -v
expect_grep '^kbox: warning: the file system of image .* comm \\x1b\[31mRED\\x1b\[0m: ' \
	"$TMP/err.out" "the comm is quoted with its escapes shown"
check "no control byte reaches kbox's stderr" sh -c "! LC_ALL=C grep -q \$(printf '\\033') '$TMP/err.out'"
done_test
