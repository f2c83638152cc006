#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/bind-relative: relative paths from above a bind whose place
# the image lacks reach the bind (they went to the image: a hidden
# directory under the bind, getcwd "/b", `mkdir -p` into a bind failed).
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
host=$TMP/host
mkdir "$host"
img_has "$img" /mnt/kbox-rel && fail "the image has /mnt/kbox-rel already"
kbo "$TMP/out" -S "$img" -b "$host:/mnt/kbox-rel" -- \
	/opt/kbox-tests/bind-relative /mnt kbox-rel
st=$?
grep -v '^ok' "$TMP/out" | sed 's/^/    | /' | tail -20
expect_status 0 "$st" "bind-relative"
expect_no_grep '^FAIL' "$TMP/out" "no FAIL line"
check "reldir, relfile and viafd are on the host" \
	test -d "$host/reldir" -a -f "$host/relfile" -a -d "$host/viafd"
check "and nothing went into the image" sh -c "! debugfs -R 'ls /mnt' '$img' 2>/dev/null | grep -q kbox-rel"
# a bind on a directory the image has (/mnt, marked by a kbox-bind trap)
host2=$TMP/host2
mkdir "$host2"
kbo "$TMP/out2" -S "$img" -b "$host2:/mnt" -- /opt/kbox-tests/bind-relative / mnt
st=$?
grep -v '^ok' "$TMP/out2" | sed 's/^/    | /' | tail -20
expect_status 0 "$st" "bind-relative on /mnt"
expect_no_grep '^FAIL' "$TMP/out2" "no FAIL line"
check "on the host too" test -d "$host2/reldir" -a -d "$host2/viafd"
done_test
