#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/fsize-other: prlimit64 setting another guest process's
# RLIMIT_FSIZE reached the host only, not that process's lx task, which
# checks its writes to image and /tmp files: they went past the new limit
# (a 3000-byte write past a 1000-byte limit wrote 3000). Now lx's task
# gets it first (its rules for the raise), then the host.
. "$(dirname "$0")/lib/common.sh"
require
img_has "$IMG" /opt/kbox-tests/fsize-other || skip "no fsize-other in the image (make guest-tests rootfs)"
run_guest_test "-S" fsize-other /var/tmp
run_guest_test "-S" fsize-other /tmp
run_guest_test "--change-id 1000:1000 -R" fsize-other /var/tmp
done_test
