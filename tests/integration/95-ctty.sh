#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/ctty: /dev/tty is the caller's controlling terminal (a pty
# it took with TIOCSCTTY after setsid, as sshd, expect and script do);
# kbox opened its own, and the guest got ENXIO.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" ctty </dev/null
done_test
