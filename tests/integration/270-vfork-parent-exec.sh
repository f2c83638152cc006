#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/clone-share vforkparent: the exec of a child made with
# clone(CLONE_VM | CLONE_VFORK | CLONE_PARENT) leaves its forker's memory
# as it was; kbox looked for the memory the child shares in its parent
# (the forker's parent), so the path it wrote into the child's memory for
# the exec stayed in the forker's ("d4/clone-share").
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" clone-share vforkparent /var/tmp
run_guest_test "--change-id 1000:1000 -R" clone-share vforkparent /tmp
done_test
