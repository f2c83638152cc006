#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pidfd_send_signal through an unreaped zombie's /proc/<pid> directory
# fd is 0, as kill() on it (Linux signals a zombie's task as long as it
# is not reaped; the signal goes nowhere). lx now keeps a zombie's
# /proc/<pid> (src/dispatch/zombie.c), so the guest can open it, but
# kbox's pidfd_send_signal answered ESRCH for any process that is not a
# live guest (src/dispatch/target.c).
# shellcheck disable=SC2016 # expanded by the guest
. "$(dirname "$0")/lib/common.sh"
require
prog='
import os, signal, time
for how in ("kill", "exit"):
    pid = os.fork()
    if pid == 0:
        if how == "exit":
            os._exit(3)
        time.sleep(100)
        os._exit(0)
    if how == "kill":
        os.kill(pid, signal.SIGKILL)
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    fd = os.open("/proc/%d" % pid, os.O_RDONLY | os.O_DIRECTORY)
    for sig in (0, signal.SIGTERM):
        try:
            signal.pidfd_send_signal(fd, sig)
            print(how, sig, "ok")
        except OSError as e:
            print(how, sig, e.strerror)
    os.close(fd)
    os.waitpid(pid, 0)
'
img_has "$IMG" /usr/bin/python3 || skip "no python3 in the image"
for mode in "-S" "--change-id 1000:1000 -R"; do
	# shellcheck disable=SC2086 # two words
	kbo "$TMP/out" $mode "$IMG" -- python3 -c "$prog"
	expect_status 0 $? "pidfd_send_signal to zombies ($mode)"
	for l in "kill 0" "kill 15" "exit 0" "exit 15"; do
		expect_grep "^$l ok\$" "$TMP/out" "$l through /proc/<zombie> ($mode)"
	done
done
done_test
