#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/bind-dots: "." and ".." in a bind path are resolved by the
# filesystem (kbox folded them by the text: `rm sl/../f` removed the
# wrong file, mkdir("nosuch/..") said EEXIST, mkdir("nd/.//") made nd).
. "$(dirname "$0")/lib/common.sh"
require
mkdir -p "$TMP/b"
run_guest_test "-b $TMP/b:/mnt/b -S" bind-dots /mnt/b
done_test
