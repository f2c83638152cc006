#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/shmap-setfl-append: stores to a shared mapping whose fd was
# given O_APPEND by fcntl land in place, in the image and lx's tmpfs.
# kbox's write-back pwrite went through the guest's open file
# description and appended the pages at the file's end.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" shmap-setfl-append /root
run_guest_test "-S" shmap-setfl-append /tmp
done_test
