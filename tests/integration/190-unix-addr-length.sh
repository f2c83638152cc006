#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/unix-addr-length: a unix socket address longer than a
# sockaddr_un is EINVAL to bind, connect, sendto and sendmsg, as Linux
# has it; kbox took it for a path cut to sun_path's size (the bind made
# the socket, the connect reached it). In the image and in a bind.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-R" unix-addr-length /tmp
run_guest_test "-S" unix-addr-length /tmp
mkdir -p "$TMP/b"
run_guest_test "-b $TMP/b:/b -S" unix-addr-length /b
done_test
