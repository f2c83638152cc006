#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# kill() of a zombie (tests/guest/zombie-kill-rights) is checked with the
# zombie's credentials, as Linux keeps them: a guest user's kill of a root
# zombie is EPERM (SIGCONT within the session 0), of its own zombie 0.
# kbox forgets a process at exit_group and answered 0 for any zombie.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" zombie-kill-rights
done_test
