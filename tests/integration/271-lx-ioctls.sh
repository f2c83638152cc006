#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/ioctl-edges ioctl: ioctls on files of the image's ext4 and
# lx's tmpfs that kbox answered ENOTTY (found by tests/guest/ioctl-fuzz):
# FIOASYNC, FIOQSIZE, FS_IOC_GETFSUUID (lx's tmpfs had no UUID either),
# GETFSLABEL, GETFSSYSFSPATH, the encryption policy, FIDEDUPERANGE, and
# FITRIM (EPERM for a user); FIEMAP with a bad pointer on tmpfs was EFAULT
# where Linux says it has none (EOPNOTSUPP). As a user and as root.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "--change-id 1000:1000 -R" ioctl-edges ioctl /var/tmp
run_guest_test "--change-id 1000:1000 -R" ioctl-edges ioctl /tmp
run_guest_test "-S" ioctl-edges ioctl /root
run_guest_test "-S" ioctl-edges ioctl /tmp
done_test
