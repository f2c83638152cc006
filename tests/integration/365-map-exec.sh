#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/map-exec: a program written through a MAP_SHARED mapping
# runs once the mapping and the writable fd are gone, even while the
# process that mapped it lives on (ETXTBSY before: kbox's own writable fd
# of the file stayed until that process ended), and a read lease is
# granted (EAGAIN before); ETXTBSY while either is
# there, as natively. In the image and lx's tmpfs, as root and as a user.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" map-exec /root
run_guest_test "-S" map-exec /tmp
run_guest_test "--change-id 1000:1000 -R" map-exec /var/tmp
done_test
