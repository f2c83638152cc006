#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/fd-fork: fd tables independent after fork, open file
# descriptions (offset, flags) shared, cwd/umask per process, coherence.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" fd-fork
run_guest_test "-0 -r" fd-fork /var/tmp
done_test
