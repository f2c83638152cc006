#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Reopening an eventfd, epoll, timerfd or signalfd by /proc/self/fd/N is
# EACCES for a user and ENXIO for root, as natively (the anonymous inode
# is root's, mode 0600; tests/guest/reopen-anon): kbox followed the link
# with its own rights and a guest user got ENXIO.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" reopen-anon
run_guest_test "--change-id 1000:1000 -R" reopen-anon
done_test
