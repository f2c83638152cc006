#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/tty-admin: terminal ioctls that need CAP_SYS_ADMIN
# (TIOCSCTTY 1 stealing another session's terminal, TIOCSTI into a
# terminal not the caller's, TIOCCONS, TIOCVHANGUP, TIOCSLCKTRMIOS) are
# EPERM for a guest user; under a root kbox the host checked kbox's root
# and `setsid -c` as uid 1000 took the caller's terminal. Guest root may
# steal and push (only when kbox is root: a rootless kbox has no such right).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "--change-id 1000:1000 -R" tty-admin
if [ "$(id -u)" -eq 0 ]; then
	run_guest_test "-S" tty-admin
fi
done_test
