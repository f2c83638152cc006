#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Signals end calls that block in kbox's kernel as they end native ones:
# tests/guest/interrupt (FIFO open and read, flock wait, inotify read:
# EINTR after the handler, restart with SA_RESTART, SIGTSTP stops,
# SIGKILL ends, and a killed reader takes no later data), on tmpfs (-S),
# on the image's ext4 (-r), as a normal user, and in a bind, where kbox
# opens the FIFO on the host (a signal ended nothing there: the guest
# hung). kbox then halts with nothing left busy.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" interrupt
run_guest_test "-0 -r" interrupt /var/tmp
run_guest_test "--change-id 1000:1000 -R" interrupt
mkdir -p "$TMP/bind"
run_guest_test "-b $TMP/bind:/mnt/b -S" interrupt /mnt/b
expect_no_grep 'busy' "$TMP/interrupt.out" "no call left blocked at halt"
done_test
