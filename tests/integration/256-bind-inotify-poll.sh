#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# An inotify instance watching a bind is ready for poll, select and epoll
# (and through a dup) as soon as the guest's own change returns
# (tests/guest/inotify-edges poll; found by tests/guest/inotify-fuzz).
# The host instance's readiness reached the guest's fd through a relay
# thread, a little later: poll(fd, 0) right after creating a file in the
# watched bind said not ready while FIONREAD and read had the event. Now
# the guest's fd is an epoll set of the mirror and the host instance.
. "$(dirname "$0")/lib/common.sh"
require
b=$TMP/b
mkdir -p "$b" && chmod 777 "$b"
run_guest_test "-b $b:/mnt/b -S" inotify-edges poll /mnt/b
run_guest_test "-b $b:/mnt/b --change-id 1000:1000 -R" inotify-edges poll /mnt/b
run_guest_test "-S" inotify-edges poll /tmp
done_test
