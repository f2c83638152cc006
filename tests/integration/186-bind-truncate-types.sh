#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# truncate() of a path in a bind checks the file's type before the right
# to write, as Linux does: a FIFO is EINVAL (kbox opened it for writing
# first, which waited for a reader for ever: the guest hung), a
# directory EISDIR, a socket or device EINVAL (EACCES without write
# permission); a regular file is truncated.
. "$(dirname "$0")/lib/common.sh"
require
require_cmd python3
img=$(own_img)
b=$TMP/b
mkdir -p "$b/d"
mkfifo "$b/fifo"
echo abcdef >"$b/f"
KB_TIMEOUT=30
kbo "$TMP/out" -S "$img" -b "$b:/b" -- /usr/bin/python3 -c "
import errno, os
for p, n in (('/b/fifo', 0), ('/b/d', 0), ('/b/f', 2), ('/b/f', -1)):
    try:
        os.truncate(p, n); print(p, n, 'ok')
    except OSError as e:
        print(p, n, errno.errorcode[e.errno])
"
expect_status 0 $? "truncate of each kind of file returned"
expect_grep "^/b/fifo 0 EINVAL$" "$TMP/out" "a FIFO: EINVAL, at once"
expect_grep "^/b/d 0 EISDIR$" "$TMP/out" "a directory: EISDIR"
expect_grep "^/b/f 2 ok$" "$TMP/out" "a file: truncated"
expect_grep "^/b/f -1 EINVAL$" "$TMP/out" "a negative length: EINVAL"
[ "$(cat "$b/f")" = ab ] && pass "the host file holds 2 bytes" ||
	fail "the host file holds '$(cat "$b/f")'"
done_test
