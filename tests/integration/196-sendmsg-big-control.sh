#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# sendmsg with more than 4096 bytes of control data
# (tests/guest/sendmsg-big-control): up to net.core.optmem_max as Linux,
# SCM_MAX_FD across the headers still EINVAL; kbox said ENOBUFS past 4096.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-R" sendmsg-big-control /tmp
run_guest_test "-S" sendmsg-big-control /tmp
done_test
