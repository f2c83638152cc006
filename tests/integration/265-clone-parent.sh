#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/clone-share parent: a child made with clone(CLONE_PARENT)
# has its forker's cwd, umask and fds; kbox gave it its new parent's (the
# grandparent's) state, or a sibling's task, since it looked for the
# fork's preparation under the parent the child names. In the image and
# lx's tmpfs, as root and as a user.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" clone-share parent /var/tmp
run_guest_test "--change-id 1000:1000 -R" clone-share parent /tmp
done_test
