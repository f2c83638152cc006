#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# inotify served by the kernel library, and poll/select/epoll on files
# whose readiness changes (inotify instances, FIFO read ends): events as a
# Linux host reports them, readiness at once after the change and gone
# once read. tests/guest/inotify on tmpfs (-S), on the image's ext4 (-r)
# and as a normal user. Watches on host paths (a -b bind) pair a host
# inotify instance with the lx one: both instances' events come through
# the one fd, including changes made on the host while the guest waits.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" inotify
run_guest_test "-0 -r" inotify /var/tmp
run_guest_test "--change-id 1000:1000 -R" inotify
mkdir -p "$TMP/hb"
run_guest_test "-b $TMP/hb:/mnt/hb -S" inotify /tmp /mnt/hb

# A guest blocked in read() wakes for a file made by a host process.
rm -rf "$TMP/hb" && mkdir -p "$TMP/hb"
img=$(own_img)
kbo "$TMP/wait.out" -b "$TMP/hb:/mnt/hb" -r "$img" -- \
	/opt/kbox-tests/inotify --wait /mnt/hb &
kpid=$!
for _ in $(seq 100); do
	grep -q '^watching' "$TMP/wait.out" 2>/dev/null && break
	sleep 0.1
done
touch "$TMP/hb/made-on-host"
wait "$kpid"
expect_status 0 $? "guest waiting in read() on a bind directory"
expect_grep '^event made-on-host$' "$TMP/wait.out" "the host's change reaches the guest"

done_test
