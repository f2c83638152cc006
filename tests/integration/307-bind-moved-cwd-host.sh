#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/bind-moved-dir, hostwait and hostout: the host renames and
# then removes the directory a guest's cwd and dir fd are in, inside a
# bind (`mv` outside kbox while a shell sits in the project). kbox kept
# the cwd's old path text: relative calls failed or, once removed,
# reached nothing of it. A directory moved out of the bind's source
# reaches nothing beside it on the host; the raw getcwd there says
# "(unreachable)/" and /proc/self/cwd "/", as Linux (it was ENOENT and
# the old path with " (deleted)").
. "$(dirname "$0")/lib/common.sh"
require

# wait_file FILE: up to 60 s for the guest to make FILE
wait_file() {
	local i
	for i in $(seq 1200); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

B=$TMP/b
mkdir -p "$B" "$TMP/outside" && chmod 777 "$B"
echo HOST-SECRET >"$TMP/outside/secret"
img=$(own_img)

kbo "$TMP/wait.out" -b "$B:/mnt/b" -S "$img" -- /opt/kbox-tests/bind-moved-dir /mnt/b hostwait &
kpid=$!
if wait_file "$B/ready"; then
	mv "$B/h" "$B/h2"
	touch "$B/go"
	if wait_file "$B/ready2"; then
		rm -r "$B/h2/in"
		touch "$B/go2"
	fi
fi
wait "$kpid"
st=$?
grep -v '^ok' "$TMP/wait.out" | sed 's/^/    | /' | tail -30
expect_status 0 "$st" "hostwait: a host rename, then rmdir"
expect_no_grep '^FAIL' "$TMP/wait.out" "hostwait printed no FAIL line"
expect_grep '^ok' "$TMP/wait.out" "hostwait printed ok lines"

rm -rf "${B:?}"/*
kbo "$TMP/out.out" -b "$B:/mnt/b" -S "$img" -- /opt/kbox-tests/bind-moved-dir /mnt/b hostout &
kpid=$!
if wait_file "$B/ready"; then
	mv "$B/o" "$TMP/outside/o"
	touch "$B/go"
fi
wait "$kpid"
st=$?
grep -v '^ok' "$TMP/out.out" | sed 's/^/    | /' | tail -30
expect_status 0 "$st" "hostout: moved out of the bind's source"
expect_no_grep '^FAIL' "$TMP/out.out" "hostout printed no FAIL line"
expect_no_grep 'HOST-SECRET' "$TMP/out.out" "the host's file was never read"
check "nothing made beside it on the host" test ! -e "$TMP/outside/made"
done_test
