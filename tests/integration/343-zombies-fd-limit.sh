#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Unreaped zombies do not use up kbox's fds. lx keeps an exited child's
# task a zombie, and kbox a pidfd of it, until the host reaps it
# (src/dispatch/zombie.c), up to 1024 of them: under the usual soft
# RLIMIT_NOFILE of 1024 a guest with 1100 unreaped children left kbox no
# fd, and the guest's exec of /bin/echo failed with EMFILE (natively
# nothing is short: zombies take no fds). Now at most a quarter of the
# limit is kept; the first ones are still in /proc.
. "$(dirname "$0")/lib/common.sh"
require
img_has "$IMG" /usr/bin/python3 || skip "no python3 in the image"
prog='
import os, subprocess
kids = []
for i in range(1100):
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    kids.append(pid)
for i in range(3):
    try:
        r = subprocess.run(["/bin/echo", "hi"], capture_output=True)
        print("echo:", r.stdout.decode().strip())
    except OSError as e:
        print("echo:", e.strerror)
print("first listed:", os.path.exists("/proc/%d" % kids[0]))
for k in kids:
    os.waitpid(k, 0)
print("reaped")
'
(
	ulimit -n 1024 || exit 0
	kbo "$TMP/out" -S "$IMG" -- python3 -c "$prog"
)
expect_status 0 $? "1100 unreaped children"
expect_no_grep 'Too many open files' "$TMP/out" "kbox has fds left"
expect_grep '^echo: hi$' "$TMP/out" "the guest still runs programs"
expect_grep '^first listed: True$' "$TMP/out" "the first zombies are in /proc"
expect_grep '^reaped$' "$TMP/out" "all reaped"
done_test
