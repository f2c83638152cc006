#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/pgrp-sender: kill(-pgrp) and kill(0) were sent by kbox to
# each guest process of the group, so an SA_SIGINFO handler saw kbox's
# pid as si_pid (found by tests/guest/proc-fuzz). A group of guest
# processes only, which the guest may signal, now gets the host's kill
# from the caller itself; kbox's own group is still signalled one by one.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "--change-id 1000:1000 -R" pgrp-sender
run_guest_test "-S" pgrp-sender
done_test
