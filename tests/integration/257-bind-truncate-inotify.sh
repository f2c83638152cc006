#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# truncate(2) of a file in a bind is one IN_MODIFY, as natively
# (tests/guest/inotify-edges truncate; found by tests/guest/inotify-fuzz):
# kbox opened the file for writing and ftruncated it, so a watch also saw
# IN_OPEN and IN_CLOSE_WRITE.
. "$(dirname "$0")/lib/common.sh"
require
b=$TMP/b
mkdir -p "$b" && chmod 777 "$b"
run_guest_test "-b $b:/mnt/b -S" inotify-edges truncate /mnt/b
run_guest_test "-b $b:/mnt/b --change-id 1000:1000 -R" inotify-edges truncate /mnt/b
run_guest_test "-S" inotify-edges truncate /tmp
done_test
