#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/peergroups: SO_PEERGROUPS lists the peer's supplementary
# groups in the guest, for sockets in the image, in /tmp, in a bind and
# from socketpair (the host's answer named the groups of the peer's host
# process: dbus-daemon gave a client of groups 100 and 1000 only 1000).
. "$(dirname "$0")/lib/common.sh"
require
mkdir -p "$TMP/b" && chmod 777 "$TMP/b"
run_guest_test "-b $TMP/b:/mnt/b -S" peergroups /var/tmp /tmp /mnt/b
done_test
