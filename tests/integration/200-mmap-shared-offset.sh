#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/mmap-shared-offset: a first MAP_SHARED mapping of an image
# file leaves the fd's offset where it was. kbox copied the file into its
# memfd through a dup of the guest's lx file, probing holes with
# SEEK_DATA/SEEK_HOLE, which moved the guest's offset to the end: a read()
# after the mmap returned 0 (glibc's gconv cache loader, reading after a
# failed mmap, spun on it).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-R" mmap-shared-offset /tmp
run_guest_test "-S" mmap-shared-offset /tmp /root
done_test
