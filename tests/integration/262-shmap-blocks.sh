#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/shmap-blocks: stores through a shared mapping into a sparse
# file's holes count in st_blocks at once (fstat, stat, statx), before any
# msync, as natively; kbox kept the old st_blocks until it wrote the
# mapping back (msync, fsync, the process's exit). In the image (/root,
# /var/tmp) and lx's tmpfs (/tmp), as root and as a user.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" shmap-blocks /root
run_guest_test "-S" shmap-blocks /tmp
run_guest_test "--change-id 1000:1000 -R" shmap-blocks /var/tmp
done_test
