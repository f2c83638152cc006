#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/xdev-order: rename/link between a bind and the image say
# ENOENT/ENOTDIR for a bad parent before EXDEV, as Linux does.
. "$(dirname "$0")/lib/common.sh"
require
mkdir -p "$TMP/b"
run_guest_test "-b $TMP/b:/mnt/b -S" xdev-order /mnt/b /var/tmp
done_test
