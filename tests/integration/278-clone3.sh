#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/clone3: clone3 makes processes with the state of the moment
# of the fork (fd table, cwd, umask), pidfds, CLONE_CLEAR_SIGHAND, Linux's
# argument errors, EPERM for every namespace flag, and glibc's
# posix_spawn and pthread_create over it. It was ENOSYS (libc fell back
# to clone). In the image as root, lx's tmpfs as a user.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" clone3 -k /var/tmp
run_guest_test "--change-id 1000:1000 -R" clone3 -k /tmp
done_test
