#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/path-cross: paths between the image and a bind, found by
# path-fuzz (stress 34): symlinkat through a link into the bind (EXDEV),
# the trailing "/" or "/." of a path leaving the bind by ".." (dropped),
# openat2 RESOLVE_IN_ROOT from the bind's dirfd (opened the image's file
# above that root), RESOLVE_BENEATH with a loop after the escape (ELOOP,
# not EXDEV), /proc/self/cwd followed with the cwd in the bind (lx's
# cwd). As guest root and as a user.
. "$(dirname "$0")/lib/common.sh"
require
mkdir -p "$TMP/b" && chmod 777 "$TMP/b"
run_guest_test "-b $TMP/b:/mnt/b -S" path-cross /var/tmp/pc /mnt/b/pc
run_guest_test "-b $TMP/b:/mnt/b --change-id 1000:1000 -R" path-cross /tmp/pc /mnt/b/pc2
done_test
