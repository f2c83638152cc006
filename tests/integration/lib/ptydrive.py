#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Drive an interactive shell inside kbox through a pseudo-terminal.

usage: ptydrive.py [--timeout S] KBOX [KBOX-ARGS...]
  e.g. ptydrive.py ./kbox -S rootfs.ext4 -- /bin/sh -i

Checks, in order (each prints "ok - ..." or "FAIL - ..."):
  1. a prompt appears
  2. `echo hi` prints hi (marker-delimited so the echoed input is not
     mistaken for the output)
  3. `sleep 30`, then Ctrl-C (\\x03): the prompt is back within 1 s and the
     shell (and kbox) are still alive
  3b. Ctrl-C of python3 blocked in a FIFO open in the image
      (KeyboardInterrupt, status 130)
  4. job control basics: `sleep 30 &` + `kill %1`/`wait` and `tty`
  5. `exit 3`: kbox exits with status 3
Exit status: 0 if every check passed, 1 otherwise. Standard library only.
"""

import os
import pty
import re
import select
import signal
import sys
import time

PROMPT = "KBOXPROMPT> "
TIMEOUT = 20.0


class Drive:
    """A program on a pty. @env: variables set, None values removed
    (over PS1, TERM=dumb and no ENV); shelldrive.py builds on it."""

    def __init__(self, argv, env=None):
        self.buf = b""
        self.log = b""
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            env_now = dict(os.environ, PS1=PROMPT, TERM="dumb")
            env_now.pop("ENV", None)
            for k, v in (env or {}).items():
                if v is None:
                    env_now.pop(k, None)
                else:
                    env_now[k] = v
            env = env_now
            try:
                os.execvpe(argv[0], argv, env)
            except OSError as e:
                os.write(2, ("exec %s: %s\n" % (argv[0], e)).encode())
            os._exit(127)
        self.status = None

    def read_some(self, timeout):
        r, _, _ = select.select([self.fd], [], [], max(timeout, 0))
        if not r:
            return False
        try:
            data = os.read(self.fd, 4096)
        except OSError:  # EIO: slave side closed
            data = b""
        if not data:
            raise EOFError
        self.buf += self.text(data)
        self.log += data
        return True

    def text(self, data):
        """What of @data the checks match against."""
        return data

    def expect(self, pattern, timeout=TIMEOUT):
        """Wait for regex pattern (bytes) in the output; consume through it."""
        rx = re.compile(pattern)
        end = time.monotonic() + timeout
        while True:
            m = rx.search(self.buf)
            if m:
                self.buf = self.buf[m.end():]
                return m
            left = end - time.monotonic()
            if left <= 0:
                return None
            try:
                self.read_some(left)
            except EOFError:
                m = rx.search(self.buf)
                if m:
                    self.buf = self.buf[m.end():]
                return m

    def send(self, s):
        os.write(self.fd, s.encode() if isinstance(s, str) else s)

    def alive(self):
        if self.status is not None:
            return False
        pid, st = os.waitpid(self.pid, os.WNOHANG)
        if pid == 0:
            return True
        self.status = st
        return False

    def wait_exit(self, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if not self.alive():
                return self.status
            try:
                self.read_some(0.1)
            except EOFError:
                time.sleep(0.05)
        return None

    def kill(self):
        if self.alive():
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.wait_exit(5)


def main():
    args = sys.argv[1:]
    global TIMEOUT
    if len(args) >= 2 and args[0] == "--timeout":
        TIMEOUT = float(args[1])
        args = args[2:]
    if not args:
        print(__doc__)
        return 2
    fails = 0

    def check(cond, what):
        nonlocal fails
        print("%s - %s" % ("ok" if cond else "FAIL", what), flush=True)
        if not cond:
            fails += 1
        return cond

    d = Drive(args)
    prompt = re.escape(PROMPT.strip()).encode() + rb"\s*"
    try:
        # 1. prompt; PS1 from the environment may be overridden by an
        # rc file, so also set it explicitly.
        first = d.expect(rb"[$#>] ?", TIMEOUT)
        if not check(first is not None, "a prompt appears"):
            raise EOFError
        d.send("PS1='%s'; PS2=''\n" % PROMPT)
        check(d.expect(prompt) is not None, "prompt after setting PS1")

        # 2. echo hi
        d.send("echo B-$((40+2)); echo hi; echo E-$((40+2))\n")
        m = d.expect(rb"(?s)B-42\r?\n(.*?)E-42", TIMEOUT)
        check(m is not None and m.group(1).strip() == b"hi",
              "echo hi prints hi (got %r)" % (m.group(1) if m else None))
        d.expect(prompt, 5)

        # 3. sleep 30 + Ctrl-C
        d.send("sleep 30\n")
        time.sleep(0.5)  # let the shell fork and exec sleep
        t0 = time.monotonic()
        d.buf = b""
        d.send(b"\x03")
        m = d.expect(prompt, 1.0)
        dt = time.monotonic() - t0
        check(m is not None, "Ctrl-C during sleep 30: prompt back within "
              "1 s (%.2f s)" % dt)
        if m is None:
            m = d.expect(prompt, 30)
        check(d.alive(), "kbox survived Ctrl-C (it went to the guest)")
        d.send("echo S-$?\n")
        m = d.expect(rb"S-(\d+)", 5)
        check(m is not None and m.group(1) == b"130",
              "interrupted sleep has status 130 (got %r)" %
              (m.group(1) if m else None))
        d.expect(prompt, 5)

        # 3b. Ctrl-C of a program with a SIGINT handler (Python) blocked
        # in a call kbox's kernel serves (a FIFO open in the image)
        d.send("rm -f /tmp/kb-fifo; mkfifo /tmp/kb-fifo\n")
        d.expect(prompt, 5)
        d.send("python3 -c 'open(\"/tmp/kb-fifo\")'\n")
        time.sleep(1.5)  # python starts and blocks in the open
        d.buf = b""
        t0 = time.monotonic()
        d.send(b"\x03")
        m = d.expect(prompt, 3)
        dt = time.monotonic() - t0
        check(m is not None and b"KeyboardInterrupt" in d.log[-2000:],
              "Ctrl-C: python3 blocked in a FIFO open gets "
              "KeyboardInterrupt, prompt back (%.2f s)" % dt)
        d.send("echo P-$?\n")
        m = d.expect(rb"P-(\d+)", 5)
        check(m is not None and m.group(1) == b"130",
              "its status is 130 (got %r)" % (m.group(1) if m else None))
        d.expect(prompt, 5)

        # 4. tty and a background job
        d.send("tty; echo T-$?\n")
        m = d.expect(rb"(\S+)\r?\nT-(\d+)", 5)
        check(m is not None and m.group(2) == b"0" and
              m.group(1).startswith(b"/dev/"),
              "tty names a terminal (%r)" % (m.group(1) if m else None))
        d.expect(prompt, 5)
        # (the pause lets the child reset the interactive shell's ignored
        # SIGTERM before the kill arrives; dash races otherwise)
        d.send("sleep 30 & sleep 0.3; kill $!; wait $!; echo J-$?\n")
        m = d.expect(rb"J-(\d+)", 10)
        check(m is not None and m.group(1) == b"143",
              "background job killed: wait gives 143 (got %r)" %
              (m.group(1) if m else None))
        d.expect(prompt, 5)

        # 4b. job control: Ctrl-Z stops the foreground job (the shell gets
        # the terminal back), bg continues it and kill %1 ends it; each is
        # a signal to the job's process group (kill(-pgid), which the
        # supervisor delivers to the group's guest processes)
        d.send("sleep 30\n")
        time.sleep(0.5)
        d.send(b"\x1a")
        m = d.expect(prompt, 3)
        check(m is not None, "Ctrl-Z stops the foreground job: prompt back")
        d.send("jobs; echo Z-$?\n")
        m = d.expect(rb"(?s)(.*?)Z-0", 5)
        check(m is not None and re.search(rb"(?i)stopped", m.group(1)),
              "jobs lists it stopped (%r)" % (m.group(1) if m else None))
        d.expect(prompt, 5)
        d.send("bg; sleep 0.3; jobs; echo R-$?\n")
        m = d.expect(rb"(?s)(.*?)R-0", 5)
        check(m is not None and re.search(rb"(?i)running", m.group(1)),
              "bg continues it (%r)" % (m.group(1) if m else None))
        d.expect(prompt, 5)
        d.send("kill %1; wait; echo K-done\n")
        m = d.expect(rb"K-done", 5)
        check(m is not None, "kill %1 ends it")
        d.expect(prompt, 5)

        # 5. exit 3
        d.send("exit 3\n")
        st = d.wait_exit(TIMEOUT)
        code = None
        if st is not None and os.WIFEXITED(st):
            code = os.WEXITSTATUS(st)
        check(code == 3, "exit 3 gives status 3 (status %r)" %
              (st if code is None else code))
    except EOFError:
        check(False, "session ended early")
    finally:
        d.kill()
        if fails:
            tail = d.log[-1500:].decode("utf-8", "replace")
            print("---- last output ----\n%s\n---------------------" % tail)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
