#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/rights-mmsg: image files passed with SCM_RIGHTS arrive as
# themselves after a MSG_PEEK, through recvmmsg and from sendmmsg (each
# gave kbox's empty placeholder: reads returned EOF), and a FIFO's
# writer passed in a message never received is closed (no EOF before).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" rights-mmsg /etc/hostname /tmp
done_test
