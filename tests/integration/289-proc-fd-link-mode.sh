#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/procfs-edges fdmode: lstat of /proc/self/fd/N of a file in a
# bind has the mode of the fd's access (lr-x, l-wx, lrwx) as natively;
# kbox looked at the link of its own O_PATH fd of it (l---------, found by
# tests/guest/procfs-fuzz).
. "$(dirname "$0")/lib/common.sh"
require
mkdir -p "$TMP/b" && chmod 777 "$TMP/b"
run_guest_test "-b $TMP/b:/mnt/b -S" procfs-edges fdmode /mnt/b
run_guest_test "-b $TMP/b:/mnt/b --change-id 1000:1000 -R" procfs-edges fdmode /mnt/b
run_guest_test "-S" procfs-edges fdmode /var/tmp
done_test
