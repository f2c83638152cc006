#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/fd-semantics inside the box: on tmpfs (/tmp with -S) and
# on the image's ext4 (/var/tmp with -r).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" fd-semantics
run_guest_test "-0 -r" fd-semantics /var/tmp
run_guest_test "--change-id 1000:1000 -R" fd-semantics
done_test
