#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Signal storm during I/O: a guest process copies and verifies files in a
# loop while another floods it with SIGUSR1 (and SIGCHLD from short-lived
# children) for ~10 s; no I/O may fail or corrupt, handlers run, nothing
# hangs.
. "$(dirname "$0")/../integration/lib/common.sh"
require
img_has "$IMG" /usr/bin/python3 || skip "no python3 in the image"

prog='
import os, signal, sys, time, hashlib
hits = 0
def h(sig, frm):
    global hits
    hits += 1
signal.signal(signal.SIGUSR1, h)
signal.signal(signal.SIGCHLD, h)
# SA_RESTART, as C signal() gives: a signal that lands while a call waits
# in the seccomp queue (before kbox has received it) makes the host kernel
# return -ERESTARTSYS, which only SA_RESTART turns into a transparent
# restart (docs/supervisor.md, "Signals and EINTR").
signal.siginterrupt(signal.SIGUSR1, False)
signal.siginterrupt(signal.SIGCHLD, False)
me = os.getpid()
r, w = os.pipe()
stormer = os.fork()
if stormer == 0:
    os.close(r)
    end = time.monotonic() + 10
    n = 0
    while time.monotonic() < end:
        try:
            os.kill(me, signal.SIGUSR1)
        except ProcessLookupError:
            break
        n += 1
        if n % 200 == 0:
            pid = os.fork()
            if pid == 0:
                os._exit(0)
            os.waitpid(pid, 0)
    os.write(w, b"x")
    os._exit(0)
os.close(w)
os.set_blocking(r, False)
blob = os.urandom(256 * 1024)
digest = hashlib.sha256(blob).hexdigest()
loops = errors = 0
while True:
    try:
        if os.read(r, 1):
            break
    except BlockingIOError:
        pass
    p = "/var/tmp/storm-%d" % (loops % 4)
    with open(p, "wb") as f:
        f.write(blob)
        f.flush()
        os.fsync(f.fileno())
    with open(p, "rb") as f:
        if hashlib.sha256(f.read()).hexdigest() != digest:
            errors += 1
    os.rename(p, p + ".r")
    os.unlink(p + ".r")
    loops += 1
# reap children made by the stormer is its own job; reap the stormer
os.waitpid(stormer, 0)
print("loops", loops, "errors", errors, "signals handled", hits)
ok = errors == 0 and loops > 5 and hits > 100
print("ok storm" if ok else "FAIL storm")
sys.exit(0 if ok else 1)
'
marker="kbox-stress-storm-$$"
KB_TIMEOUT=50
kbo "$TMP/out" -S "$IMG" -- /usr/bin/python3 -c "$prog" "$marker"
st=$?
cat "$TMP/out"
expect_status 0 "$st" "signal storm during I/O"
expect_grep '^ok storm$' "$TMP/out" "I/O intact, handlers ran"
# the C signals guest under the storm of the whole test, for good measure
run_guest_test "-S" signals
no_leftovers "$marker" "$IMG"
[ "$FAILS" -eq 0 ] && echo PASS || echo FAIL
done_test
