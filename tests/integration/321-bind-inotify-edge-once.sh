#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# One host event of an inotify instance watching a bind is one EPOLLET
# report, as natively (tests/guest/inotify-edges edge). The relay thread
# also showed the host instance's events on lx's mirror, which is in the
# same epoll set as the host instance: a relay that ran after the guest's
# epoll_wait woke the set again, and the instance was reported a second
# time with nothing new queued (stress 17-poll-fuzz, seed 97, under load).
# Host events now reach the guest's set only directly.
. "$(dirname "$0")/lib/common.sh"
require
b=$TMP/b
mkdir -p "$b" && chmod 777 "$b"
run_guest_test "-b $b:/mnt/b -S" inotify-edges edge /mnt/b
run_guest_test "-S" inotify-edges edge /tmp
done_test
