#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/mmap-coherent: a shared mapping and the file's descriptors
# show the same bytes at once (pwrite/write/writev/sendfile/
# copy_file_range/fallocate/ftruncate reach a mapping made before them;
# read() sees stores), and a mapping's write-back never undoes a later
# write or O_TRUNC; on ext4 and on tmpfs. SQLite with mmap_size and LMDB
# read through such a mapping and write with pwrite.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" mmap-coherent /root
run_guest_test "-S" mmap-coherent /tmp
done_test
