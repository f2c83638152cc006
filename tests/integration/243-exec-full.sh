#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# An exec works with no fd number free below the soft RLIMIT_NOFILE (a
# static program) or one (a dynamic one), as natively
# (tests/guest/exec-full): kbox's injected copies of the program and its
# loader needed two free numbers and the exec said EMFILE.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" exec-full /bin/true
run_guest_test "--change-id 1000:1000 -R" exec-full /bin/true
done_test
