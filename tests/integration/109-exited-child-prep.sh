#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/exited-child-prep: a child that exited (not reaped) while
# a newer child had made no call yet took the newer child's fork
# preparation; the newer child then saw the parent's later fd table (sort
# --compress-program lost chunks of its temporary files).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" exited-child-prep /root/one /root/two
done_test
