#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/fdlink-rights: under a root kbox a guest user's
# /proc/self/fd/N and /dev/fd/N of a root-owned file in a bind are
# checked with its own rights (it wrote, chmod'ed and chown'ed the host
# file with kbox's root rights); its own files and pipes still reopen.
. "$(dirname "$0")/lib/common.sh"
require
[ "$(id -u)" -eq 0 ] || skip "only when kbox runs as the host's root"
b=$TMP/b
mkdir -p "$b/pub"
chmod 755 "$TMP" "$b"
chmod 1777 "$b/pub"
echo data >"$b/rootfile"
chmod 644 "$b/rootfile"
touch -d @1500000000 "$b/rootfile"
run_guest_test "-b $b:/mnt --change-id 1000:1000 -R" fdlink-rights \
	/mnt/rootfile /mnt/pub
st=$(stat -c %a:%u:%s:%Y "$b/rootfile")
[ "$st" = 644:0:5:1500000000 ] &&
	pass "the root-owned bind file is unchanged" ||
	fail "the root-owned bind file is now $st (mode:uid:size:mtime)"
done_test
