#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/unix-name-reuse: getsockname/getpeername of a unix socket
# whose host name a later socket took over named the later one. kbox
# keeps the guest's name by the host socket's name: s-<dev>-<ino> in its
# directory, which a new node gets again when ext4 hands an unlinked
# node's inode number out again (the image's /var/tmp), and
# /proc/self/fd/N/base in a bind, the same for a socket of that base name
# in another bound directory.
. "$(dirname "$0")/lib/common.sh"
require
b=$TMP/b
c=$TMP/c
mkdir -p "$b" "$c" && chmod 777 "$b" "$c"
run_guest_test "--change-id 1000:1000 -R" unix-name-reuse /var/tmp
run_guest_test "-S" unix-name-reuse /tmp
run_guest_test "-b $b:/mnt/b -b $c:/mnt/c --change-id 1000:1000 -R" \
	unix-name-reuse /mnt/b /mnt/c
done_test
