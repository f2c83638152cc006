#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# sendmsg whose SCM_RIGHTS header claims more than msg_controllen holds
# (tests/guest/cmsg-overrun): EINVAL as Linux (CMSG_OK). kbox read the
# missing fds from its own stack and could store tokens past its
# buffers; more than SCM_MAX_FD fds is refused before tokens are made.
# Found by trinity.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-R" cmsg-overrun
run_guest_test "-S" cmsg-overrun
done_test
