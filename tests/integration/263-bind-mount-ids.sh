#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A bind's mount as the guest sees it agrees with its mountinfo line, as
# on Linux (tests/guest/mount-facts; found by tests/guest/mount-fuzz):
# stat's st_dev and statx's stx_dev are the line's device, statx's
# stx_mnt_id and fdinfo's mnt_id its id, STATX_ATTR_MOUNT_ROOT marks the
# bind's root, statfs shows its nosuid and nodev. The host answered with
# its own mount id (27 here: another guest mount's id could be that), no
# mount root, flags without nosuid/nodev, and mountinfo showed the lx
# trap's anonymous device (0:1043) for the host's files (254:0).
. "$(dirname "$0")/lib/common.sh"
require
b=$TMP/b
mkdir -p "$b" && chmod 777 "$b"
run_guest_test "-b $b:/mnt/b -S" mount-facts /mnt/b
run_guest_test "-b $b:/mnt/b --change-id 1000:1000 -R" mount-facts /mnt/b
# a second bind of the same host file system: its own id
mkdir -p "$TMP/c" && chmod 777 "$TMP/c"
run_guest_test "-b $b:/mnt/b -b $TMP/c:/srv/c --change-id 1000:1000 -R" mount-facts /srv/c
done_test
