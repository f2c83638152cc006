#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/append-shmap: O_APPEND writers of a file that another
# process maps MAP_SHARED lose no record, in the image and lx's tmpfs
# (two appenders made kbox refresh the wrong range of the map's memfd,
# and write-back then put zeros over appended records); pwritev2 with
# RWF_APPEND or RWF_NOAPPEND on a file mapped shared lands where it says.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" append-shmap /root
run_guest_test "-S" append-shmap /tmp
done_test
