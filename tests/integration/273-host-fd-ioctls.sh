#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/ioctl-edges host: ioctls on host fds (found by
# tests/guest/ioctl-fuzz). FICLONE/FICLONERANGE into /dev/null or a memfd
# from a file in the image or lx's tmpfs: EXDEV; the host saw kbox's
# placeholder for the source, a /dev/null, and said EINVAL. FITRIM on a
# pipe or a socket: ENOTTY as natively (they have no such ioctl), not the
# EPERM kbox gives it on a host file system's files.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "--change-id 1000:1000 -R" ioctl-edges host /var/tmp
run_guest_test "--change-id 1000:1000 -R" ioctl-edges host /tmp
run_guest_test "-S" ioctl-edges host /tmp
done_test
