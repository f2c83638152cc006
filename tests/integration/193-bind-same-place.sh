#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Two binds on one guest place: the later one is seen, as a second mount
# covers the first (mount --bind twice). Every path went to the first.
. "$(dirname "$0")/lib/common.sh"
require
mkdir -p "$TMP/a" "$TMP/b"
echo first >"$TMP/a/which"
echo second >"$TMP/b/which"
kbo "$TMP/out" -R "$IMG" -b "$TMP/a:/mnt/x" -b "$TMP/b:/mnt/x" -- /bin/sh -c '
	echo "path $(cat /mnt/x/which)"
	cd /mnt/x && echo "cwd $(cat which)"
	ln -s /mnt/x/which /tmp/l && echo "link $(cat /tmp/l)"
	echo new >/mnt/x/made'
expect_status 0 $? "two binds on /mnt/x"
expect_grep '^path second$' "$TMP/out" "an absolute path reaches the later bind"
expect_grep '^cwd second$' "$TMP/out" "a relative one too"
expect_grep '^link second$' "$TMP/out" "and a symlink into it"
check "a new file lands in the later bind's source" test -f "$TMP/b/made"
check "and not in the covered one" test ! -e "$TMP/a/made"
done_test
