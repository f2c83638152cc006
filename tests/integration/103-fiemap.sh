#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/fiemap: FS_IOC_FIEMAP and FIBMAP on a file in the image
# (filefrag, e2fsprogs) were ENOTTY.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" fiemap /root/fiemap.dat
done_test
