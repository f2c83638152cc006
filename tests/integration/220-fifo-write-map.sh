#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/fifo-write-map: a first shared mapping of a file while
# another process's write is blocked in a FIFO of the image. A map's
# making waits for the writes in lx that run without the maps' lock (so
# 203-append-map-churn's records are not lost), but not for ever.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" fifo-write-map /root
run_guest_test "-S" fifo-write-map /tmp
done_test
