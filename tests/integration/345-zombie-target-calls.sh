#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Calls that name an unreaped zombie child answer as on Linux, where the
# zombie is a process until it is reaped (tests/guest/zombie-target.c):
# getpriority/setpriority, ioprio_get/ioprio_set, tkill, tgkill and
# rt_tgsigqueueinfo were ESRCH in kbox (src/dispatch/target.c took only
# live guests), and a zombie of another user could be reniced or
# rescheduled by a guest user (the host, seeing one user, allowed it).
# Linux checks the zombie's kept credentials: EPERM there. And a guest
# user's pidfd_send_signal through a host pidfd (pidfd_open) went to
# the host unchecked: it could end a live guest root process.
. "$(dirname "$0")/lib/common.sh"
require
img_has "$IMG" /opt/kbox-tests/zombie-target || skip "no zombie-target in the image (make guest-tests rootfs)"
calls="getpriority setpriority sched_getparam sched_getscheduler
sched_getaffinity sched_rr_get_interval sched_getattr getpgid getsid
prlimit_get ioprio_get ioprio_set rt_sigqueueinfo0 rt_sigqueueinfo tgkill0
tgkill tkill0 rt_tgsigqueueinfo kill0 pidfd_open pidfd_send_signal0
waitid_pidfd sched_setaffinity sched_setscheduler sched_setparam setpgid
get_robust_list"
for mode in "-S" "--change-id 1000:1000 -R"; do
	# shellcheck disable=SC2086 # two words
	kbo "$TMP/out" $mode "$IMG" -- /opt/kbox-tests/zombie-target
	expect_status 0 $? "zombie-target ($mode)"
	for c in $calls; do
		expect_grep "^$c ok\$" "$TMP/out" "$c on an own zombie ($mode)"
	done
	for c in after_reap_getpriority after_reap_getsid; do
		expect_grep "^$c ESRCH\$" "$TMP/out" "$c ($mode)"
	done
	expect_no_grep "wrong" "$TMP/out" "waitid and waitpid see the child ($mode)"
done
# a root zombie, its parent then uid 1000 (as Linux 6.12 answers)
kbo "$TMP/other" -S "$IMG" -- /opt/kbox-tests/zombie-target other
expect_status 0 $? "zombie-target other"
for c in getpriority sched_getparam sched_getscheduler sched_getaffinity \
	sched_rr_get_interval sched_getattr getpgid getsid ioprio_get \
	pidfd_open waitid_pidfd setpgid; do
	expect_grep "^$c ok\$" "$TMP/other" "$c on another user's zombie"
done
for c in setpriority ioprio_set rt_sigqueueinfo0 rt_sigqueueinfo tgkill0 \
	tgkill tkill0 rt_tgsigqueueinfo kill0 pidfd_send_signal0 \
	sched_setaffinity sched_setscheduler sched_setparam \
	live_pidfd_send_signal; do
	expect_grep "^$c EPERM\$" "$TMP/other" "$c on another user's zombie"
done
expect_grep "^live_pidfd_open ok\$" "$TMP/other" "pidfd_open of another user's process"
expect_no_grep "wrong" "$TMP/other" "the children end as they should"
done_test
