#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/execveat-name: execveat with unknown flags reads its name
# whole first, as Linux's getname_uflags does: ENAMETOOLONG for a name
# of PATH_MAX bytes or more, EFAULT for one running into an unmapped
# page, ENOENT for an empty one, EINVAL only then. argcheck.c read one
# byte and said EINVAL for the first two.
. "$(dirname "$0")/lib/common.sh"
require
img_has "$IMG" /opt/kbox-tests/execveat-name || skip "no execveat-name in the image (make guest-tests rootfs)"
run_guest_test "-S" execveat-name
run_guest_test "--change-id 1000:1000 -R" execveat-name
done_test
