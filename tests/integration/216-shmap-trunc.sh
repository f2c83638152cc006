#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/shmap-trunc: truncate(path) and open(O_TRUNC) of a file that
# another process maps shared and msyncs leave it empty, in the image and
# lx's tmpfs. lx truncated outside the maps' lock: a write-back landing
# before kbox cut the memfd grew the file back with the removed bytes.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" shmap-trunc /root
run_guest_test "-S" shmap-trunc /tmp
done_test
