#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/trailing-slash: a path ending in "/" or "/." means a
# directory, in the image, on tmpfs and in a bind (where kbox dropped the
# ending: unlink("f/") removed f, open("new/", O_CREAT) made a file, rmdir
# "d/." removed d); a failed dup2 leaves its target alone (it broke an
# image file's fd: gnulib's test-dup2) and F_DUPFD at the fd limit is
# EINVAL (test-fcntl). Natively first: the program's own expectations.
. "$(dirname "$0")/lib/common.sh"
require
mkdir -p "$TMP/native" "$TMP/bind/w"
if [ -x "$BUILD/guest/trailing-slash" ]; then
	"$BUILD/guest/trailing-slash" "$TMP/native" >"$TMP/native.out" 2>&1
	expect_status 0 $? "natively"
fi
run_guest_test "-S" trailing-slash /root
run_guest_test "-S" trailing-slash /tmp
img=$(own_img)
kbo "$TMP/bind.out" -S "$img" -b "$TMP/bind:/mnt" -- \
	/opt/kbox-tests/trailing-slash /mnt/w
expect_status 0 $? "in a bind"
expect_no_grep '^FAIL' "$TMP/bind.out" "in a bind: no FAIL line"
check "the bind's f is still there" [ -f "$TMP/bind/w/f" ]
done_test
