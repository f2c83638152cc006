#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/ptmx-reopen: a pty master reopened through /proc/self/fd/N
# or /dev/fd/N is a new pty whose slave is the opener's; kbox recorded the
# guest's ids only for /dev/ptmx by name, so a guest user of a root kbox
# found that slave owned by root (found by tests/guest/tty-fuzz).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "--change-id 1000:1000 -R" ptmx-reopen
run_guest_test "-S" ptmx-reopen
done_test
