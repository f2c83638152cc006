#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/peercred: SO_PEERCRED names the peer's pid and guest ids,
# for sockets in the image, in /tmp and in a bind (kbox makes those
# connects: the server saw kbox's pid and host ids; tmux refused every
# client when kbox ran as a user other than root).
. "$(dirname "$0")/lib/common.sh"
require
mkdir -p "$TMP/b" && chmod 777 "$TMP/b"
run_guest_test "-b $TMP/b:/mnt/b -S" peercred /var/tmp /tmp /mnt/b
done_test
