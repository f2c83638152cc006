#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/keepcaps: prctl on credentials (PR_SET_KEEPCAPS,
# PR_CAPBSET_*, PR_CAP_AMBIENT, PR_*_NO_NEW_PRIVS) is the lx task's, and
# exec applies commoncap's rules and the saved-uid rule in lx. setpriv
# --reuid failed ("reactivate capabilities"); a saved uid of 0 survived
# exec.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" keepcaps
done_test
