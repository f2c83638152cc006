#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/fork-append: 100 children append with O_APPEND to one file
# (own open and inherited fd); the parent checks every line.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" fork-append 50 100
run_guest_test "-0 -r" fork-append 20 100 /var/tmp
done_test
