#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/deep-cwd: readlink of /proc/self/cwd with the cwd deeper than
# PATH_MAX gave ENOLCK (kbox subtracted getcwd's NUL from lx's error);
# Linux says ENAMETOOLONG, as getcwd does.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" deep-cwd /root
run_guest_test "--change-id 1000:1000 -R" deep-cwd /var/tmp
done_test
