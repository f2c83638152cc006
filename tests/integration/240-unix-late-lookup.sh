#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/unix-late-lookup: Linux looks a unix connect's or datagram
# send's path up after its other checks. kbox looked it up in lx first:
# a failed connect or send with SO_PASSCRED left the socket unbound, and
# a datagram send to a missing path said ENOENT over a pending
# ECONNRESET or SHUT_WR's EPIPE. sendmsg of a datagram to a path in a
# bind was EXDEV (lx's bind trap), for a bound socket and a missing one.
# In the image, lx's tmpfs and a bind, as a user and as root.
. "$(dirname "$0")/lib/common.sh"
require
b=$TMP/bind
mkdir -p "$b" && chmod 777 "$b"
run_guest_test "--change-id 1000:1000 -R" unix-late-lookup /var/tmp
run_guest_test "--change-id 1000:1000 -R" unix-late-lookup /tmp
run_guest_test "-S" unix-late-lookup /tmp
run_guest_test "-b $b:/mnt --change-id 1000:1000 -R" unix-late-lookup /mnt
run_guest_test "-b $b:/mnt -S" unix-late-lookup /mnt
done_test
