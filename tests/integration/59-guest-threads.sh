#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Each guest thread has its own lx task (sharing files and fs):
# tests/guest/thread-ids (threads made after a root process drops to
# 1000:1000 have the new ids in the kernel's checks, also when many come
# at once) on tmpfs and on the image's ext4. The inotify guest covers a
# thread blocked in a read not holding up the others.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" thread-ids /tmp
run_guest_test "-0 -r" thread-ids /var/tmp
done_test
