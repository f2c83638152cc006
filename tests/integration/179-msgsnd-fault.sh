#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# msgsnd with a buffer the guest cannot read (tests/guest/msgsnd-fault):
# EFAULT or EINVAL as Linux orders them. kbox crashed with SIGSEGV in
# lx's sys_msgsnd (a NULL buffer handed to lx, whose user copies are
# plain memcpy); found by trinity.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-R" msgsnd-fault
run_guest_test "-S" msgsnd-fault
done_test
