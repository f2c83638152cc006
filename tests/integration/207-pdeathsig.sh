#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/pdeathsig: the first guest process read kbox's own
# PR_SET_PDEATHSIG SIGKILL (its safety net) where Linux says 0; now it
# sees its own setting, kept across exec and cleared by an id change,
# and its threads and children 0, as natively.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "--change-id 1000:1000 -R" pdeathsig
run_guest_test "-S" pdeathsig
done_test
