#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A Ctrl-C (SIGINT to kbox's whole process group, sent from inside the
# group as the terminal does) in the moments around the guest's start:
# the controller watches $TMPDIR and sends it a spread of microseconds
# after kbox makes its private directory, i.e. between kbox's last look
# for early signals and the guest's exec. Each run must end with
# 130, the status of a guest the signal killed, say nothing and leave no
# private directory. Before: a signal just before the fork reached kbox
# alone, which took it as the group's and did not relay it, so the guest
# (sleep 3) ran on and kbox exited 0; one that reached the forked child
# before its report to kbox killed it there and kbox waited for that
# report for ever (or said "cannot start the guest"). A guest that ran
# on ends with sleep's 0; one still running after 10 s is a hung kbox.
. "$(dirname "$0")/lib/common.sh"
require
require_cmd python3
img=$(realpath "$(own_img)")
td=$TMP/td
mkdir "$td" || fail "mkdir $td"
cat >"$TMP/ctl.py" <<'PY'
import ctypes, os, signal, sys, time, select
libc = ctypes.CDLL(None, use_errno=True)
td, img, kbox, err = sys.argv[1:5]
os.setpgid(0, 0)  # kbox's group: ours, as a shell job's
signal.signal(signal.SIGINT, signal.SIG_IGN)
for d in [0, 50, 100, 200, 400, 800] * 2:  # microseconds after the mkdir
    ino = libc.inotify_init1(os.O_CLOEXEC)
    if ino < 0 or libc.inotify_add_watch(ino, td.encode(), 0x100) < 0:
        sys.exit("inotify")  # 0x100: IN_CREATE
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.environ["TMPDIR"] = td
        fd = os.open(err, os.O_WRONLY | os.O_APPEND)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.execv(kbox, [kbox, "-S", img, "--", "/bin/sleep", "3"])
    if select.select([ino], [], [], 30)[0]:
        os.read(ino, 4096)
        end = time.perf_counter() + d / 1e6
        while time.perf_counter() < end:
            pass
        os.killpg(0, signal.SIGINT)
    os.close(ino)
    while True:  # a kbox hung in its launch is killed after 10 s
        p, st = os.waitpid(pid, os.WNOHANG)
        if p:
            print(d, "exit %d" % os.waitstatus_to_exitcode(st), flush=True)
            break
        if time.monotonic() - t0 > 10:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            print(d, "hung", flush=True)
            break
        time.sleep(0.01)
PY
: >"$TMP/err"
timeout -k 5 200 python3 "$TMP/ctl.py" "$td" "$img" "$KBOX" "$TMP/err" \
	</dev/null >"$TMP/got"
check "12 runs reported" test "$(wc -l <"$TMP/got")" -eq 12
bad=$(grep -vc ' exit 130$' "$TMP/got")
[ "$bad" -eq 0 ] || sed 's/^/    | /' "$TMP/got" | grep -v ' exit 130$' | head -6
check "Ctrl-C at launch: kbox exited 130 every time ($bad did not)" \
	test "$bad" -eq 0
if [ -s "$TMP/err" ]; then
	fail "kbox said something:"
	sed 's/^/    | /' "$TMP/err" | head -5
fi
left=$(ls -A "$td")
check "no private directory left (${left:-none})" test -z "$left"
e2fsck -fn "$img" >"$TMP/fsck" 2>&1
check "image clean (e2fsck -fn)" test $? -eq 0
done_test
