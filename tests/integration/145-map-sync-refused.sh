#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/map-sync-refused: mmap(MAP_SHARED_VALIDATE|MAP_SYNC) is
# EOPNOTSUPP without leaving the file a writable shared memfd (MariaDB
# 10.11 tries it on its redo log; every fdatasync of the log then compared
# the whole file with the image: a commit took 55 ms instead of 1 ms).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" map-sync-refused /root
run_guest_test "--change-id 1000:1000 -R" map-sync-refused /var/tmp
done_test
