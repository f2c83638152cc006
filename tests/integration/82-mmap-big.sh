#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/mmap-big: windows of a (sparse) file over 1 GiB map, private
# and shared (kbox copied whole files and refused those with EFBIG), and
# one page of it maps without a copy of the file.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" mmap-big /root
done_test
