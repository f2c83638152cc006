#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/sigcont-session: a guest user's SIGCONT to a root process of
# its session is allowed, as Linux allows it (kbox said EPERM: lx's
# kill(pid, 0) check does not know sessions); other signals, and SIGCONT
# from another session, stay EPERM.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" sigcont-session
done_test
