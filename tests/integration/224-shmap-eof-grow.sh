#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/shmap-eof-grow: stores into a shared mapping past the
# file's end (in its last page) read as zeros once the file grows over
# them (ftruncate up, a write past the end), as on Linux's ext4, whose
# output guest_programs_native.sh compares; stores inside the file stay.
# kbox's memfd kept them and they came back with the growth.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" shmap-eof-grow /root
run_guest_test "--change-id 1000:1000 -R" shmap-eof-grow /var/tmp
done_test
