# SPDX-License-Identifier: MIT
"""Run CMD... in a new pty session (as a shell with job control runs a
foreground job) and check that it stops when its guest command stops
itself, then continue it. Prints what it saw; exit status 0 when the
command stopped within 5 s and, continued, exited 0."""
import os
import pty
import select
import signal
import sys
import time

pid, master = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out = b""


def drain():
    """Take what the pty has for up to 0.1 s (its buffer must not fill)."""
    global out
    r, _, _ = select.select([master], [], [], 0.1)
    if r:
        try:
            out += os.read(master, 4096)
        except OSError:
            pass


stopped = False
deadline = time.time() + 5
while time.time() < deadline:
    drain()
    wpid, st = os.waitpid(pid, os.WUNTRACED | os.WNOHANG)
    if wpid == pid and os.WIFSTOPPED(st):
        stopped = True
        break
    if wpid == pid:
        break
print("stopped" if stopped else "not stopped")
os.kill(pid, signal.SIGCONT)
code = None
deadline = time.time() + 10
while time.time() < deadline and code is None:
    drain()
    wpid, st = os.waitpid(pid, os.WNOHANG)
    if wpid == pid:
        code = os.waitstatus_to_exitcode(st)
if code is None:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
print("exit", code)
sys.exit(0 if stopped and code == 0 else 1)
