#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/sigcont-session: a guest user's SIGCONT to a root process of
# its session is allowed, as Linux allows it (kbox said EPERM: lx's
# kill(pid, 0) check does not know sessions); other signals, and SIGCONT
# from another session, stay EPERM. Also in a pid namespace whose session
# leader is outside it (getsid() is 0 there), as on CI's machines: kbox
# took a session id of 0 for no session and said EPERM.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" sigcont-session
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null &&
	unshare -p -f --mount-proc true 2>/dev/null; then
	KB_WRAP="unshare -p -f --mount-proc" run_guest_test "-S" sigcont-session
else
	echo "  (no pid namespace here: the getsid() == 0 case not run)"
fi
done_test
