#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# inotify served by the kernel library, and poll/select/epoll on files
# whose readiness changes (inotify instances, FIFO read ends): events as a
# Linux host reports them, readiness at once after the change and gone
# once read. tests/guest/inotify on tmpfs (-S), on the image's ext4 (-r)
# and as a normal user.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" inotify
run_guest_test "-0 -r" inotify /var/tmp
run_guest_test "--change-id 1000:1000 -R" inotify

done_test
