#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/execveat-dirfd: execveat with a real directory fd runs the
# program (absolute, relative, a #! script); it was ENAMETOOLONG always.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" execveat-dirfd
run_guest_test "--change-id 1000:1000 -R" execveat-dirfd
done_test
