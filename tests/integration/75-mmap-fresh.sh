#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/mmap-fresh: a new mapping of an image file, and a program
# rewritten in place, show the file as it is now, even right after a
# change (kbox's copies are keyed by lx's change counter, not only by
# times from a coarse clock), on ext4 and on tmpfs.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" mmap-fresh /root
run_guest_test "-S" mmap-fresh /tmp
done_test
