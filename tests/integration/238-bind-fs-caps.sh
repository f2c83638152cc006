#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/bind-fs-caps: under kbox run by root, host calls on a bind
# take the guest's file capabilities with its fs ids. A guest root that
# dropped CAP_CHOWN/CAP_DAC_OVERRIDE chowned and read others' files there
# with kbox's rights (its fsuid 0 kept kbox's identity), a root with
# another gid made files of kbox's group, a user that kept capabilities
# (PR_SET_KEEPCAPS) lost them, and access() of a process that is root by
# its effective uid only used root's rights (found by tests/guest/cred-fuzz).
. "$(dirname "$0")/lib/common.sh"
require
[ "$(id -u)" -eq 0 ] || skip "only when kbox runs as the host's root"
b=$TMP/bind
mkdir -p "$b" && chmod 755 "$b"
run_guest_test "-b $b:/mnt/b -S" bind-fs-caps /mnt/b
run_guest_test "-S" bind-fs-caps /var/tmp
done_test
