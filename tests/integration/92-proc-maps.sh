#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# /proc/<pid>/maps and smaps name the guest's files: kbox runs programs
# and maps libraries from copies, and the host's maps named those
# ("/memfd:kbox-exec (deleted)", the host user's ~/.cache/kbox/content/...),
# paths sanitizers, profilers and Go's pprof then failed to open.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
kbo "$TMP/out" -S "$img" -- /bin/sh -c '
	awk "{print \$6}" /proc/self/maps | grep "^/" | sort -u | sed "s/^/self /"
	grep -c -e "memfd:kbox" -e "cache/kbox" /proc/self/maps | sed "s/^/leaks /"
	grep -c "^Size:" /proc/self/smaps | sed "s/^/smaps sizes /"
	sleep 5 & p=$!; sleep 0.3
	awk "{print \$6}" /proc/$p/maps | grep -c "^/usr/bin/sleep$" | sed "s/^/other /"
	kill $p'
expect_status 0 $? "reading maps"
expect_grep '^self /usr/bin/awk$|^self /usr/bin/mawk$' "$TMP/out" "the program is named by its guest path"
expect_grep '^self /usr/lib/x86_64-linux-gnu/libc.so.6$' "$TMP/out" "libc too"
expect_grep '^self /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2$' "$TMP/out" "and the loader"
expect_grep '^leaks 0$' "$TMP/out" "no kbox copy or cache path shows"
expect_no_grep '^smaps sizes 0$' "$TMP/out" "smaps has its mappings"
expect_no_grep '^other 0$' "$TMP/out" "another guest process's maps too"
done_test
