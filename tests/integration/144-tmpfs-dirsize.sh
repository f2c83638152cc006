#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A directory on lx's tmpfs (/tmp, /dev/shm, /run) has Linux tmpfs's size:
# 20 bytes per entry plus 40 for "." and "..", kept through create, link,
# symlink, mkdir, unlink, rmdir and renames within and across directories
# (it was 0 always: `ls -ld /tmp/dir` differed from a native chroot).
# Where the host has a tmpfs at /dev/shm the same script runs there too
# and must print the same.
. "$(dirname "$0")/lib/common.sh"
require
script='cd "$1" && mkdir d && stat -c "%s %n" d
touch d/a d/b; mkdir d/s; ln -s x d/l; ln d/a d/h; stat -c "%s %n" d
rm d/h; mv d/a d/z; mv d/b d/s/; stat -c "%s %n" d d/s
mv d/z d/s/b; stat -c "%s %n" d d/s
rm -r d/s; stat -c "%s %n" d; rm -r d'
kbo "$TMP/out" -S "$IMG" -- /bin/sh -c "$script" sh /tmp
expect_status 0 $? "the script runs on lx's tmpfs"
printf '%s\n' "40 d" "140 d" "100 d" "60 d/s" "80 d" "60 d/s" "60 d" >"$TMP/want"
if diff "$TMP/want" "$TMP/out" >/dev/null; then
	pass "directory sizes count their entries as tmpfs does"
else
	fail "directory sizes differ from tmpfs's:"
	diff "$TMP/want" "$TMP/out" | sed 's/^/    | /'
fi
if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] && [ -w /dev/shm ]; then
	n=$(mktemp -d /dev/shm/kbox-dirsize.XXXXXX)
	sh -c "$script" sh "$n" >"$TMP/native" 2>&1
	rm -rf "$n"
	diff "$TMP/native" "$TMP/out" >/dev/null &&
		pass "the same sizes as the host's tmpfs" ||
		fail "the host's tmpfs says otherwise: $(tr '\n' '|' <"$TMP/native")"
fi
done_test
