#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Another process's private /proc entries (environ, maps, fd/, exe) are
# shown only with ptrace's read access, judged in the guest's identities
# as Linux does. kbox opens the host's entries with its own rights, which
# every guest process has on the host, so a guest user read the
# environment and maps of a guest root process.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)

# shellcheck disable=SC2016 # expanded by the guest's shell
kbo "$TMP/out" -S "$img" -- python3 -c '
import os, time, subprocess
root = subprocess.Popen(["sleep", "5"], env={"SECRET": "rootsecret"})
time.sleep(0.3)
def probe(tag, pid):
    out = []
    for f in ("environ", "maps", "fd", "exe", "task/%d/environ" % pid, "cmdline", "status"):
        path = "/proc/%d/%s" % (pid, f)
        try:
            if f == "fd": os.listdir(path)
            elif f == "exe": os.readlink(path)
            else: open(path, "rb").read(10)
            out.append(f + ":ok")
        except OSError as e:
            out.append(f + ":" + os.strerror(e.errno).replace(" ", "_"))
    print(tag, " ".join(out))
pid = os.fork()
if pid == 0:
    os.setgid(1000)
    os.setuid(1000)
    probe("user-of-root", root.pid)
    mine = subprocess.Popen(["sleep", "5"])
    time.sleep(0.2)
    probe("user-of-own", mine.pid)
    mine.kill()
    os._exit(0)
os.waitpid(pid, 0)
probe("root-of-root", root.pid)
root.kill()'
expect_status 0 $? "the guest runs"
d=Permission_denied
expect_grep "^user-of-root environ:$d maps:$d fd:$d exe:$d task/[0-9]+/environ:$d cmdline:ok status:ok$" \
	"$TMP/out" "a user cannot read root's environ, maps, fd/ or exe; cmdline and status stay public"
expect_grep '^user-of-own environ:ok maps:ok fd:ok exe:ok task/[0-9]+/environ:ok cmdline:ok status:ok$' \
	"$TMP/out" "a user reads its own processes' entries"
expect_grep '^root-of-root environ:ok maps:ok fd:ok exe:ok task/[0-9]+/environ:ok cmdline:ok status:ok$' \
	"$TMP/out" "root reads them all"
done_test
