#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The full mount profile's /dev has what a Linux /dev has beyond nodes:
# /dev/shm (a tmpfs: POSIX shm and named semaphores failed with ENOENT)
# and /dev/fd, /dev/stdin, /dev/stdout, /dev/stderr (bash's process
# substitution, diff <(a) <(b), failed: "/dev/fd/63: No such file").
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" dev-shm-links
run_guest_test "--change-id 1000:1000 -R" dev-shm-links

img=$(own_img)
kbo "$TMP/bash.out" -S "$img" -- /bin/bash -c '
	diff <(seq 3) <(seq 4); echo "diff status $?"
	wc -l < <(seq 5)
	echo piped | cat /dev/stdin
	ls /dev/fd/ | tr "\n" " "; echo'
expect_status 0 $? "bash with process substitution"
expect_grep '^> 4$' "$TMP/bash.out" "diff reads both process substitutions"
expect_grep '^diff status 1$' "$TMP/bash.out" "diff reports the difference"
expect_grep '^5$' "$TMP/bash.out" "input redirection from <(...)"
expect_grep '^piped$' "$TMP/bash.out" "cat /dev/stdin"
expect_grep '^0 1 2 3 ' "$TMP/bash.out" "ls /dev/fd lists the process's fds"
done_test
