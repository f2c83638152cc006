#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Calls that name another process reach guest processes only
# (tests/guest/signal-targets): a host process kbox's user owns cannot be
# signalled, reniced, re-limited or pinned from the guest (ESRCH, as
# /proc hides it), guest processes can, with permission checks in guest
# terms. They were ALLOWed in the filter: `kill -9 -1` in the guest
# killed every host process of the user, kbox and its shell included.
. "$(dirname "$0")/lib/common.sh"
require
sleep 120 &
host=$!
run_guest_test "-S" signal-targets "$host"
run_guest_test "--change-id 1000:1000 -R" signal-targets "$host"

img=$(own_img)
kbo "$TMP/killall.out" -S "$img" -- /bin/sh -c \
	"sleep 30 & kill -TERM $host; echo \"host kill status \$?\"; kill -9 -1; echo \"kill -1 status \$?\"; wait; echo after"
expect_status 0 $? "kill -9 -1 in the guest leaves kbox running"
expect_grep '^host kill status 1$' "$TMP/killall.out" "kill of a host pid fails"
expect_grep '^kill -1 status 0$' "$TMP/killall.out" "kill -9 -1 reaches the guest's background job"
expect_grep '^after$' "$TMP/killall.out" "the shell that sent it carries on"
# pidfd_send_signal on a /proc/<pid> directory (killall does this): it
# is an lx file, which the host saw as a placeholder (EBADF)
kbo "$TMP/pidfd.out" -S "$img" -- /usr/bin/python3 -c "
import os, signal, subprocess
p = subprocess.Popen(['sleep', '30'])
fd = os.open('/proc/%d' % p.pid, os.O_DIRECTORY)
signal.pidfd_send_signal(fd, signal.SIGTERM)
print('proc dir fd:', p.wait())
p = subprocess.Popen(['sleep', '30'])
signal.pidfd_send_signal(os.pidfd_open(p.pid), signal.SIGKILL)
print('pidfd:', p.wait())
for d in ('/proc/sys', '/tmp'):
    try:
        signal.pidfd_send_signal(os.open(d, os.O_DIRECTORY), signal.SIGTERM)
    except OSError as e:
        print(d, 'errno', e.errno)
try:
    signal.pidfd_send_signal(os.open('/proc/$host', os.O_DIRECTORY), signal.SIGTERM)
except OSError as e:
    print('host errno', e.errno)
"
expect_grep '^proc dir fd: -15$' "$TMP/pidfd.out" "a /proc/<pid> fd signals the guest process"
expect_grep '^pidfd: -9$' "$TMP/pidfd.out" "a pidfd still does"
expect_grep '^/proc/sys errno 9$' "$TMP/pidfd.out" "a /proc directory that is no process: EBADF"
expect_grep '^/tmp errno 9$' "$TMP/pidfd.out" "any other directory: EBADF"
expect_grep '^host errno 2$' "$TMP/pidfd.out" "a host pid has no /proc entry in the guest"
if kill -0 "$host" 2>/dev/null; then
	pass "the host process is alive"
else
	fail "the host process was killed from the guest"
fi
kill "$host" 2>/dev/null
wait "$host" 2>/dev/null

# The guest starts in kbox's process group: kill(0) must reach the guest's
# members only, or `kill -9 0` ended kbox before it synced the image.
img=$(own_img)
kbo "$TMP/group.out" -S "$img" -- /bin/sh -c 'echo kept >/root/kept; kill -9 0'
expect_status 137 $? "kill -9 0 ends the guest (128+SIGKILL)"
if [ "$(img_cat "$img" /root/kept)" = kept ]; then
	pass "kbox outlived it and synced what the guest wrote"
else
	fail "the file written before kill -9 0 is not in the image" "$TMP/group.out"
fi
# A guest child that exited and is not reaped yet (a zombie) exists for
# kill(), as natively; once reaped it is gone (kbox said ESRCH at once).
kbo "$TMP/zombie.out" -S "$img" -- /usr/bin/python3 -c "
import os, time
p = os.fork()
if p == 0:
    os._exit(3)
# a zombie now: exited, not reaped (WNOWAIT); bounded for a loaded machine
for _ in range(400):
    if os.waitid(os.P_PID, p, os.WEXITED | os.WNOWAIT | os.WNOHANG):
        break
    time.sleep(0.05)
os.kill(p, 0); print('zombie kill 0: ok')
os.kill(p, 15); print('zombie kill TERM: ok')
print('status', os.waitpid(p, 0)[1] >> 8)
try:
    os.kill(p, 0); print('reaped: exists')
except ProcessLookupError:
    print('reaped: ESRCH')
"
expect_grep '^zombie kill 0: ok$' "$TMP/zombie.out" "kill(zombie, 0) succeeds"
expect_grep '^zombie kill TERM: ok$' "$TMP/zombie.out" "kill(zombie, SIGTERM) succeeds"
expect_grep '^status 3$' "$TMP/zombie.out" "the zombie's status is unchanged"
expect_grep '^reaped: ESRCH$' "$TMP/zombie.out" "a reaped child is gone"
done_test
