#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/openat2-bind-escape: openat2 from a dirfd or cwd in a bind
# with RESOLVE_NO_XDEV or RESOLVE_NO_MAGICLINKS (no RESOLVE_BENEATH) was
# walked by the host from that directory with only the guest's flags: a
# link to "." then ".." reached the file next to the bind's source on the
# host, and an absolute link in the bind the host's path it names. Found
# by path-fuzz (stress 34).
. "$(dirname "$0")/lib/common.sh"
require
mkdir -p "$TMP/b/src"
echo HOST-SECRET >"$TMP/b/secret"
run_guest_test "-b $TMP/b/src:/mnt/b -S" openat2-bind-escape /mnt/b secret "$TMP/b/secret"
expect_no_grep 'HOST-SECRET' "$GUEST_OUT" "the host's file was never read"
done_test
