#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/errno-values as root (permission checks skipped) and as
# uid 1000 (EACCES/EPERM from the kernel's real permission checks).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" errno-values
run_guest_test "-0 -r" errno-values /var/tmp
run_guest_test "--change-id 1000:1000 -r" errno-values /tmp
run_guest_test "--change-id 1000:1000 -R" errno-values
# the non-root run must really have done the permission checks
grep -q "create in a 0555 dir -> EACCES" "$TMP/errno-values.out" && pass "EACCES checks ran as uid 1000" || fail "EACCES checks did not run"
done_test
