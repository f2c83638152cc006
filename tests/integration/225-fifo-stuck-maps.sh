#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/fifo-stuck-maps: first shared mappings while a FIFO write
# and a FIFO open with O_TRUNC stay blocked in lx. A map's making waits
# for the changes in flight without the maps' lock, but one that stays
# blocked is waited for once: each mapping took 51 ms while it was.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" fifo-stuck-maps /root
run_guest_test "-S" fifo-stuck-maps /tmp
done_test
