#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/bind-order: in a bind, rename/link from a directory the
# guest may not search to a missing directory was ENOENT (Linux walks the
# old parent first: EACCES), and a file made with 02755 under umask 033
# in another group's set-group-ID directory kept the bit (Linux takes it
# off before the umask applies). Found by tests/guest/cred-fuzz.
. "$(dirname "$0")/lib/common.sh"
require
b=$TMP/bind
mkdir -p "$b" && chmod 755 "$b"
run_guest_test "-b $b:/mnt/b -S" bind-order /mnt/b
run_guest_test "-S" bind-order /var/tmp
done_test
