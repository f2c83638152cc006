#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/pty-links: the guest's ptys through a symlink (socat's
# PTY,link=), relative to /dev and /dev/pts, and in /dev/pts listings:
# lx's own, empty devpts stood there (ENOENT through the link).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" pty-links /tmp/pty-link </dev/null
# a link in the image, as a normal user
run_guest_test "--change-id 1000:1000 -R" pty-links /home/user/pty-link </dev/null
done_test
