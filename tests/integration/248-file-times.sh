#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# File times that differed from Linux (tests/guest/file-times, found by
# tests/guest/time-fuzz): truncate(2) on lx's tmpfs set no times; mmap
# set no atime; kbox's refresh of a mapped file's copy after a write set
# atime and raised IN_ACCESS; a read served from that copy set no atime.
# In the image, lx's tmpfs and a bind (the host's, for reference).
. "$(dirname "$0")/lib/common.sh"
require
b=$TMP/b
mkdir -p "$b" && chmod 777 "$b"
for d in /var/tmp /tmp /mnt/b; do
	run_guest_test "-b $b:/mnt/b -S" file-times "$d"
	run_guest_test "-b $b:/mnt/b --change-id 1000:1000 -R" file-times "$d"
done
done_test
