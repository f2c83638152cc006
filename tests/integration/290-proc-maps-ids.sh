#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/procfs-edges maps: a shared mapping of a file in the image
# or lx's tmpfs shows in /proc/self/maps with the file's device and inode
# as stat gives them (kbox's copy's were shown: lsof and fuser match them),
# and one of a file in a bind with its guest path (the host's was shown).
# Found by tests/guest/procfs-fuzz.
. "$(dirname "$0")/lib/common.sh"
require
mkdir -p "$TMP/b" && chmod 777 "$TMP/b"
run_guest_test "-S" procfs-edges maps /var/tmp
run_guest_test "--change-id 1000:1000 -R" procfs-edges maps /tmp
run_guest_test "-b $TMP/b:/mnt/b -S" procfs-edges maps /mnt/b
done_test
