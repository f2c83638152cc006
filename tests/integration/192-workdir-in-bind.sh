#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# -w names a missing directory or a file inside a bind: refused with one
# line, as a -w in the image is (lx's chdir). It was taken as the guest's
# cwd: pwd printed it and every relative name failed.
. "$(dirname "$0")/lib/common.sh"
require
h=$TMP/host
mkdir -p "$h/sub"
echo data >"$h/file"

for w in /work/missing /work/file /work/file/x /conf /nonexist; do
	kbo "$TMP/out" -R "$IMG" -b "$h:/work" -b "$h/file:/conf" -w "$w" -- /bin/pwd
	st=$?
	check "-w $w is refused (status $st)" test "$st" -eq 1
	expect_grep "^kbox: work dir '$w': (No such file or directory|Not a directory)$" \
		"$TMP/out" "-w $w: one line says why"
done
kbo "$TMP/out" -R "$IMG" -b "$h:/work" -w /work/sub/../sub -- /bin/sh -c \
	'pwd; echo x >rel && cat rel'
expect_status 0 $? "-w of a directory in the bind"
expect_grep '^/work/sub$' "$TMP/out" "the guest starts there"
check "a relative write lands in it" test -f "$h/sub/rel"
done_test
