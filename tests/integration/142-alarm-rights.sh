#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/alarm-rights: timerfd_create, timer_create and
# clock_nanosleep on the alarm clocks need CAP_WAKE_ALARM in the guest's
# credentials: under kbox run by root a guest user got alarm timerfds
# (the host checked kbox's rights). Guest root of a root kbox gets them.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "--change-id 1000:1000 -R" alarm-rights
if [ "$(id -u)" = 0 ]; then
	run_guest_test "-S" alarm-rights root
fi
done_test
