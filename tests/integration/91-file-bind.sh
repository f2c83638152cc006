#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# -b FILE:DST binds one host file (a resolv.conf, a .gitconfig, a tool):
# it was refused ("Not a directory"). Only that file is reached, not its
# host siblings; like a mount point it cannot be removed or renamed; a
# symlink as the source is resolved on the host first, as mount does.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
h=$TMP/host
mkdir -p "$h"
echo "nameserver 192.0.2.1" >"$h/conf"
echo secret >"$h/sibling"
printf '#!/bin/sh\necho "tool ran $*"\n' >"$h/tool"
chmod +x "$h/tool"
ln -s conf "$h/link"
kbo "$TMP/out" -S "$img" -b "$h/conf:/etc/resolv.conf" \
	-b "$h/tool:/usr/bin/kbox-tool" -b "$h/link:/etc/linked" -- /bin/sh -c '
	echo "read $(cat /etc/resolv.conf)"
	echo "options ndots:1" >>/etc/resolv.conf && echo appended
	kbox-tool a b
	echo "linked $(head -1 /etc/linked)"
	rm /etc/resolv.conf 2>/dev/null || echo "rm refused"
	mv /etc/resolv.conf /etc/moved 2>/dev/null || echo "mv refused"
	cat /etc/sibling 2>/dev/null || echo "no sibling"
	cat /etc/resolv.conf/x 2>/dev/null || echo "not a directory"
	echo "stat $(stat -c %s /etc/resolv.conf)"'
expect_status 0 $? "file binds"
expect_grep '^read nameserver 192.0.2.1$' "$TMP/out" "the guest reads the host file"
expect_grep '^appended$' "$TMP/out" "and writes it"
expect_grep '^tool ran a b$' "$TMP/out" "a bound program runs"
expect_grep '^linked nameserver 192.0.2.1$' "$TMP/out" "a symlink source is the file it names"
expect_grep '^rm refused$' "$TMP/out" "rm of a file bind is refused"
expect_grep '^mv refused$' "$TMP/out" "mv of a file bind is refused"
expect_grep '^no sibling$' "$TMP/out" "its host siblings stay out of reach"
expect_grep '^not a directory$' "$TMP/out" "a path beneath it fails"
expect_grep '^stat 37$' "$TMP/out" "stat sees the host file"
check "the host file has the appended line" grep -qx "options ndots:1" "$h/conf"
check "the host file is still there" [ -f "$h/conf" ]
done_test
