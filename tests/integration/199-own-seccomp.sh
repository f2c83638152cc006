#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/own-seccomp: PR_GET_SECCOMP and /proc/self/status show the
# guest's own filters, not kbox's (man-db skipped its sandbox: "seccomp
# already enabled"), and a user without no_new_privs cannot install a
# filter (EACCES, as in Linux); root can. A filter survives exec.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "--change-id 1000:1000 -R" own-seccomp
run_guest_test "-S" own-seccomp
done_test
