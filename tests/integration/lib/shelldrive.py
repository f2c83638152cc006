#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Drive another interactive shell (zsh, fish, mksh, tcsh, busybox ash)
through a pseudo-terminal, as a user at a terminal would.

usage: shelldrive.py [--only LIST] [--home DIR] KIND CMD [ARGS...]
  KIND: sh or zsh (POSIX-like), ash (busybox), fish or tcsh
  e.g. shelldrive.py zsh ./kbox -S img.ext4 -- /bin/zsh -f -i

Each check prints "ok - ..." or "FAIL - ..."; LIST is a comma list of
check names to run (default: all): edit, tab, intr, jobs, pipe, cat,
vi, tostop, ttin, exit, hup. Exit status 0 if every check passed.
Standard library only.
"""

import fcntl
import os
import re
import struct
import sys
import termios
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ptydrive  # noqa: E402  (the pty Drive this builds on)

PROMPT = ptydrive.PROMPT
T = 15.0
ESC = re.compile(rb"\x1b\[[0-9;?>]*[a-zA-Z@]|\x1b\][^\x07]*\x07|\x1b[=>()][0-9A-B]?")


class Drive(ptydrive.Drive):
    def __init__(self, argv, home):
        super().__init__(argv, {"TERM": "xterm", "HOME": home, "ZDOTDIR": None,
                                "HISTFILE": None, "XDG_CONFIG_HOME": None,
                                "XDG_DATA_HOME": None})
        # a real terminal has a size (vi and less need one)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ,
                    struct.pack("HHHH", 24, 80, 0, 0))

    def text(self, data):
        # answer a cursor position query (fish, busybox): row 1, col 1
        if b"\x1b[6n" in data:
            self.send(b"\x1b[1;1R")
        # the checks look at text: colours, cursor moves and mode
        # switches (fish, zsh) are left out
        return ESC.sub(b"", data)

    def expect(self, pattern, timeout=T):
        return super().expect(pattern, timeout)

    def drain(self, secs):
        end = time.monotonic() + secs
        while time.monotonic() < end:
            try:
                self.read_some(end - time.monotonic())
            except EOFError:
                return


def main():
    args = sys.argv[1:]
    only = None
    home = "/tmp"
    while args and args[0].startswith("--"):
        if args[0] == "--only":
            only = set(args[1].split(","))
        elif args[0] == "--home":
            home = args[1]
        args = args[2:]
    kind, argv = args[0], args[1:]
    # fish 3 has no %N job names but in jobs
    fg = "fg\r" if kind == "fish" else "fg %1\r"
    kill1 = "kill (jobs -p %1)" if kind == "fish" else "kill %1"
    fails = 0

    def want(name):
        return only is None or name in only

    def check(cond, what):
        nonlocal fails
        print("%s - %s" % ("ok" if cond else "FAIL", what), flush=True)
        if not cond:
            fails += 1
        return cond

    d = Drive(argv, home)
    prompt = re.escape(PROMPT.strip()).encode()

    def run(cmd, tag, timeout=T):
        """Run cmd; return its output between markers (echoed input is
        never mistaken for it: the marker is split by quotes)."""
        d.buf = b""
        d.send("echo B-''%s; %s; echo E-''%s\r" % (tag, cmd, tag))
        m = d.expect(rb"(?s)B-%s\r?\n(.*?)E-%s" % (tag.encode(),
                                                     tag.encode()), timeout)
        d.expect(prompt, 5)
        return m.group(1) if m else None

    def clean(b):
        return re.sub(rb"\x1b\[[0-9;?]*[a-zA-Z]|\x1b[=>]|\r", b"",
                      b or b"")

    try:
        m = d.expect(rb"[$#>%] ?", T)
        if not check(m is not None, "a prompt appears"):
            raise EOFError
        d.drain(0.5)
        if kind == "fish":
            # (and a universal variable: fish saves it in a file)
            d.send("function fish_prompt; echo -n '%s'; end; "
                   "function fish_greeting; end; "
                   "set -U kbox_uvar uvar-ok\r" % PROMPT)
        elif kind == "tcsh":
            d.send("set prompt='%s'\r" % PROMPT)
        else:
            d.send("PS1='%s'; PS2=''\r" % PROMPT)
        d.drain(1.0)
        d.buf = b""
        d.send("\r")
        check(d.expect(prompt) is not None, "prompt after setting it")
        out = run("echo hi", "HI")
        check(out is not None and clean(out).strip() == b"hi",
              "echo hi prints hi (%r)" % out)
        stty0 = run("stty -g", "STTY0")
        stty0 = clean(stty0).strip() if stty0 else None

        if want("edit"):
            d.send("echo hist-''one\r")
            d.expect(rb"hist-one\r?\n", 5)
            d.expect(prompt, 5)
            d.buf = b""
            d.send(b"\x1b[A")
            time.sleep(0.3)
            d.send(b"\r")
            m = d.expect(rb"[\r\n]hist-one\r?\n", 5)
            check(m is not None, "up-arrow recalls the last command")
            d.expect(prompt, 5)
            d.buf = b""
            d.send(b"cho ed-''mid")
            time.sleep(0.2)
            d.send(b"\x01e\x05-''end\r")
            m = d.expect(rb"[\r\n]ed-mid-?end\r?\n", 5)
            check(m is not None, "Ctrl-A / Ctrl-E edit the line")
            d.expect(prompt, 5)

        if want("tab"):
            run("echo tabbed > /tmp/kbtabuniq_5d3f", "TB0")
            d.buf = b""
            d.send(b"cat /tmp/kbtabuniq_5")
            time.sleep(0.3)
            d.send(b"\t")
            time.sleep(0.8)
            d.send(b"\r")
            m = d.expect(rb"[\r\n]tabbed\r?\n", 5)
            check(m is not None, "tab completes a file name")
            d.expect(prompt, 5)

        if want("intr"):
            d.send("sleep 30\r")
            time.sleep(0.8)
            d.buf = b""
            t0 = time.monotonic()
            d.send(b"\x03")
            m = d.expect(prompt, 3)
            check(m is not None, "Ctrl-C ends sleep 30: prompt back "
                  "(%.2f s)" % (time.monotonic() - t0))
            if m is None:
                d.expect(prompt, 30)

        if want("jobs"):
            d.send("sleep 30\r")
            time.sleep(0.8)
            d.buf = b""
            d.send(b"\x1a")
            check(d.expect(prompt, 3) is not None, "Ctrl-Z: prompt back")
            out = run("jobs", "J1")
            check(out and re.search(rb"(?i)stopped|suspended", out),
                  "jobs: stopped (%r)" % out)
            out = run("bg", "J2")
            time.sleep(0.3)
            out = run("jobs", "J3")
            check(out and re.search(rb"(?i)running", out),
                  "bg: running (%r)" % out)
            d.buf = b""
            d.send(fg)
            time.sleep(0.8)
            d.send(b"\x03")
            check(d.expect(prompt, 3) is not None, "fg then Ctrl-C: prompt")
            d.send("sleep 100 &\r")
            d.expect(prompt, 5)
            time.sleep(0.3)
            run(kill1, "J4")
            out = run("wait", "J5", 10)
            check(out is not None, "kill %1; wait returns")
            out = run("jobs", "J6")
            check(out is not None and b"sleep" not in clean(out),
                  "no job left (%r)" % out)

        if want("pipe"):
            d.send("sleep 30 | cat\r")
            time.sleep(0.8)
            d.buf = b""
            d.send(b"\x1a")
            check(d.expect(prompt, 3) is not None,
                  "Ctrl-Z stops a pipeline: prompt back")
            out = run("jobs", "P1")
            check(out and re.search(rb"(?i)stopped|suspended", out),
                  "jobs: pipeline stopped (%r)" % out)
            d.send(fg)
            time.sleep(0.8)
            d.buf = b""
            d.send(b"\x03")
            check(d.expect(prompt, 3) is not None,
                  "fg then Ctrl-C ends the pipeline")

        if want("cat"):
            d.send("cat\r")
            time.sleep(0.5)
            d.buf = b""
            d.send("typed-line\r")
            m = d.expect(rb"typed-line\r?\ntyped-line\r?\n", 5)
            check(m is not None, "cat echoes a line read from the terminal")
            d.send(b"\x04")
            check(d.expect(prompt, 3) is not None, "Ctrl-D ends cat")

        if want("vi"):
            for ed, start, quit in (("vi /tmp/kbvi.txt", 0.8, b":q!\r"),
                                    ("less /etc/passwd", 0.8, b"q")):
                d.send(ed + "\r")
                time.sleep(start + 0.5)
                d.buf = b""
                d.send(b"\x1a")
                ok = d.expect(prompt, 3) is not None
                check(ok, "%s: Ctrl-Z gives the prompt" % ed)
                s = run("stty -g", "V1")
                # busybox ash leaves a stopped job's modes (natively too)
                if kind != "ash":
                    check(s is not None and clean(s).strip() == stty0,
                          "%s suspended: terminal modes restored (%r vs %r)"
                          % (ed, s, stty0))
                d.send(fg)
                time.sleep(0.8)
                if ed.startswith("vi"):
                    d.send(b"\x1b")  # out of any mode, alone
                    time.sleep(0.3)
                d.send(quit)
                ok = d.expect(prompt, 5) is not None
                check(ok, "%s: fg, quit: prompt back" % ed)
                s = run("stty -g", "V2")
                check(s is not None and clean(s).strip() == stty0,
                      "%s ended: terminal modes restored (%r)" % (ed, s))

        if want("tostop"):
            run("stty tostop", "S0")
            d.send("sh -c 'sleep 0.5; echo bg-''out' &\r")
            d.expect(prompt, 5)
            time.sleep(1.5)
            out = run("jobs", "S1")
            check(out and re.search(rb"(?i)stopped|suspended", out)
                  and b"\nbg-out" not in b"\n" + out,
                  "stty tostop: background write stops the job (%r)" % out)
            d.buf = b""
            d.send(fg)
            m = d.expect(rb"\nbg-out", 5)
            check(m is not None, "fg: the job writes")
            d.expect(prompt, 5)
            run("stty -tostop", "S2")

        if want("ttin"):
            d.send("sh -c 'read x; echo got-$x' &\r")
            d.expect(prompt, 5)
            time.sleep(1.0)
            out = run("jobs", "R1")
            check(out and re.search(rb"(?i)stopped|suspended", out),
                  "background read stops the job (SIGTTIN) (%r)" % out)
            d.buf = b""
            d.send(fg)
            time.sleep(0.8)
            d.send("zz\r")
            m = d.expect(rb"got-zz", 5)
            check(m is not None, "fg: the job reads the terminal")
            d.expect(prompt, 5)

        if want("hup"):
            # the terminal goes away: the shell gets SIGHUP and ends
            d.drain(0.3)
            os.close(d.fd)
            st = None
            end = time.monotonic() + 15
            while time.monotonic() < end:
                if not d.alive():
                    st = d.status
                    break
                time.sleep(0.1)
            check(st is not None, "pty master closed: kbox ends (%r)" % st)
        elif want("exit"):
            d.send("exit 3\r")
            st = d.wait_exit(T)
            code = os.WEXITSTATUS(st) if st is not None and \
                os.WIFEXITED(st) else None
            check(code == 3, "exit 3 gives status 3 (%r)" % st)
    except EOFError:
        check(False, "session ended early")
    finally:
        try:
            d.kill()
        except OSError:
            pass
        if fails or os.environ.get("SHELLDRIVE_LOG"):
            tail = d.log[-3000:].decode("utf-8", "replace")
            print("---- last output ----\n%s\n---------------------" % tail)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
