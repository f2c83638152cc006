#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# stat following a /proc/<pid>/fd/N (or /dev/fd/N) link to a host file -
# /dev/null, a bind file, the terminal kbox was started from - gives
# that file's owner, as stat of its path does; only objects the guest
# made (pipes, memfds) stand for the process. A guest user of a root
# kbox saw such files as its own: bash's `test -O /dev/fd/3 3</dev/null`
# was true and `test -w /dev/fd/1` passed on root's 0600 terminal (bash's
# test suite, run-test, differed from a native run).
. "$(dirname "$0")/lib/common.sh"
require
[ "$(id -u)" = 0 ] || skip "needs a root kbox (host owner = kbox's user)"
mkdir -p "$TMP/b" && echo x >"$TMP/b/f" && chmod 644 "$TMP/b/f"
out=$TMP/out
# shellcheck disable=SC2016 # expanded in the guest
kbo "$out" --change-id 1000:1000 -R "$IMG" -b "$TMP/b:/mnt/b" -- /bin/bash -c '
echo "null-fd $(stat -L -c %u /dev/fd/3 3</dev/null)"
echo "null-proc $(stat -L -c %u /proc/self/fd/3 3</dev/null)"
echo "null-path $(stat -L -c %u /dev/null)"
test -O /dev/fd/3 3</dev/null; echo "null-O $?"
echo "bind-fd $(stat -L -c %u /dev/fd/3 3</mnt/b/f)"
echo "bind-path $(stat -c %u /mnt/b/f)"
echo "pipe $(echo | stat -L -c %u /dev/stdin)"
echo | { test -O /dev/fd/0; echo "pipe-O $?"; }
echo "link $(stat -c %u /proc/self/fd/3 3</dev/null)"
python3 -c "import os; m = os.memfd_create(\"m\"); print(\"memfd\", os.stat(\"/proc/self/fd/%d\" % m).st_uid)"
'
expect_status 0 $? "guest script"
expect_grep '^null-fd 0$' "$out" "/dev/fd/3 of /dev/null: root's"
expect_grep '^null-proc 0$' "$out" "/proc/self/fd/3 of /dev/null: root's"
expect_grep '^null-path 0$' "$out" "/dev/null by path: root's"
expect_grep '^null-O 1$' "$out" "test -O /dev/fd/3 of /dev/null: not the user's"
expect_grep '^bind-fd 0$' "$out" "a root-owned bind file through /dev/fd: root's"
expect_grep '^bind-path 0$' "$out" "the bind file by path: root's"
expect_grep '^pipe 1000$' "$out" "the guest's pipe: the user's"
expect_grep '^pipe-O 0$' "$out" "test -O of the guest's pipe"
expect_grep '^link 1000$' "$out" "the fd link itself: the process's"
expect_grep '^memfd 1000$' "$out" "the guest's memfd: the user's"
# the terminal kbox was started from stays the host's, by path or by fd
if command -v script >/dev/null 2>&1; then
	tout=$TMP/tout
	# shellcheck disable=SC2016 # expanded in the guest
	timeout -k 5 60 script -qc "$KBOX --change-id 1000:1000 -R $IMG -- /bin/sh -c 'echo \"tty \$(stat -L -c %u /dev/fd/0) \$(stat -c %u \$(tty))\"'" /dev/null </dev/null >"$tout" 2>&1
	expect_grep "^tty $(id -u) $(id -u)" "$tout" "the starting terminal: the host's owner by fd and by path"
fi
done_test
