#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/ioctl-edges fcntl: fcntl on files of the image's ext4 and
# lx's tmpfs (found by tests/guest/ioctl-fuzz): F_SETOWN_EX/F_GETOWN_EX
# and F_SET_RW_HINT/F_GET_RW_HINT were EINVAL (their argument is a
# pointer kbox did not copy); F_SETFL with O_DIRECT passed on a directory
# (kbox drops O_DIRECT, lx never saw it) and set the other flags, and was
# dropped on a FIFO (packet mode); F_ADD_SEALS said EINVAL where Linux
# checks the fd's write mode first (EPERM) and a tmpfs file is sealed
# with F_SEAL_SEAL (EPERM; F_GET_SEALS 1): lx has no memfd.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "--change-id 1000:1000 -R" ioctl-edges fcntl /var/tmp
run_guest_test "--change-id 1000:1000 -R" ioctl-edges fcntl /tmp
run_guest_test "-S" ioctl-edges fcntl /root
run_guest_test "-S" ioctl-edges fcntl /tmp
done_test
