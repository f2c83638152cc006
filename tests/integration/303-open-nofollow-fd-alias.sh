#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# open(O_NOFOLLOW) of /dev/stdin, /dev/stderr, /dev/fd/N, /proc/self/fd/N
# does not follow the last link: O_PATH opens the link itself, else
# ELOOP, as natively. kbox took those names as the guest's fd N and
# reopened it whatever the flags (util-linux's lsfd test mkfds-symlink:
# open("/dev/stdin", O_PATH|O_NOFOLLOW) was EBADF with stdin closed).
. "$(dirname "$0")/lib/common.sh"
require
out=$TMP/out
# shellcheck disable=SC2016 # expanded in the guest
kbo "$out" -S "$IMG" -- /usr/bin/python3 -c '
import errno, os, stat
for p in ("/dev/stdin", "/dev/stderr", "/dev/fd/0", "/proc/self/fd/0"):
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NOFOLLOW)
        print(p, "nofollow opened", oct(os.fstat(fd).st_mode))
    except OSError as e:
        print(p, "nofollow", errno.errorcode[e.errno])
for p in ("/dev/stdin", "/dev/stderr"):
    try:
        fd = os.open(p, os.O_PATH | os.O_NOFOLLOW)
        print(p, "path-nofollow", "link" if stat.S_ISLNK(os.fstat(fd).st_mode) else "not-link")
    except OSError as e:
        print(p, "path-nofollow", errno.errorcode[e.errno])
fd = os.open("/dev/stdin", os.O_RDONLY)
print("follow", "chr" if stat.S_ISCHR(os.fstat(fd).st_mode) else "other")
'
expect_status 0 $? "guest script"
for p in /dev/stdin /dev/stderr /dev/fd/0 /proc/self/fd/0; do
	expect_grep "^$p nofollow ELOOP$" "$out" "$p O_NOFOLLOW: ELOOP"
done
expect_grep '^/dev/stdin path-nofollow link$' "$out" "/dev/stdin O_PATH|O_NOFOLLOW: the link"
expect_grep '^/dev/stderr path-nofollow link$' "$out" "/dev/stderr O_PATH|O_NOFOLLOW: the link"
expect_grep '^follow chr$' "$out" "/dev/stdin without O_NOFOLLOW: still stdin (/dev/null)"
done_test
