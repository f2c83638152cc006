#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/unix-sock-checks: connect and sendto to a unix socket path
# need write permission on the node. kbox connects its own host socket
# in its private directory, so the node's mode was never checked: a
# guest user connected to root's 0600 socket in the image and in /tmp
# (a bind's socket is the host's and was checked already). Also: an
# address given to a send on a seqpacket socket is ignored (kbox looked
# it up: ENOENT, data lost), on a stream socket EISCONN; a 108-byte name
# comes back whole from getsockname (kbox cut it to 107 bytes).
. "$(dirname "$0")/lib/common.sh"
require
mkdir -p "$TMP/b" && chmod 777 "$TMP/b"
run_guest_test "-b $TMP/b:/mnt/b -S" unix-sock-checks /var/tmp /tmp /mnt/b
done_test
