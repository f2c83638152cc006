#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# An idle kbox sleeps: while the guest does nothing (sleep), kbox's threads
# (lx's host timer thread and idle thread, the supervisor) switch context
# a few dozen times a second at most. lx ran a periodic tick at HZ=250 on
# its host timer thread, which woke lx's idle thread each time: ~1,500
# context switches a second for a guest that only sleeps. lx is tickless
# in idle now (NO_HZ_IDLE); the bound below is ten times what it costs.
# The serve loop (kbox's main thread) sleeps too: it polled every 100 ms
# (stops of the guest's command, orphaned groups, a sweep of the guest's
# processes each second), ~20 wake-ups in 2 s for nothing; now it wakes
# on events only, and on a timer only while something is due (after a
# fork, for a second). Checked with a guest that forked and now sleeps,
# and with an idle interactive shell on a pty (stdin a terminal).
# Then the clocks right after idle: a file written after two seconds of
# idle gets the time it was written at (lx's coarse clock, which file
# times come from, catches up on the first call), and a guest sleep ends.
. "$(dirname "$0")/lib/common.sh"
require
require_cmd python3

# ctxt_sum PID: voluntary + involuntary context switches of all threads
ctxt_sum() {
	cat /proc/"$1"/task/*/status 2>/dev/null |
		awk '/^(non)?voluntary_ctxt_switches:/ { n += $2 } END { print n + 0 }'
}

# task_ctxt PID TID: context switches of one thread
task_ctxt() {
	awk '/^(non)?voluntary_ctxt_switches:/ { n += $2 } END { print n + 0 }' \
		/proc/"$1"/task/"$2"/status 2>/dev/null
}

# The serve loop runs on kbox's main thread unless the hard stack limit
# is below 8 MiB (src/main.c: then on a thread of its own).
serve_on_main=1
[ "$(ulimit -H -s)" != unlimited ] && [ "$(ulimit -H -s)" -lt 8192 ] &&
	serve_on_main=0

# serve_idle WHAT PID: the serve loop's wake-ups over 2 s
serve_idle() {
	local a b
	if [ "$serve_on_main" = 0 ]; then
		echo "  (hard stack limit below 8 MiB: $1 not measured)"
		return
	fi
	a=$(task_ctxt "$2" "$2")
	sleep 2
	b=$(task_ctxt "$2" "$2")
	if [ -z "$a" ] || [ -z "$b" ]; then
		fail "$1: kbox's main thread ($2) gone"
	elif [ $((b - a)) -lt 6 ]; then
		pass "$1: the serve loop woke $((b - a)) times in 2 s"
	else
		fail "$1: the serve loop woke $((b - a)) times in 2 s (want < 6: a periodic poll?)"
	fi
}

timeout -k 5 "$KB_TIMEOUT" "$KBOX" -r "$IMG" -- /bin/sh -c 'sleep 1; sleep 6' \
	>"$TMP/fork.out" 2>&1 </dev/null &
wrapper=$!
sleep 3 # the fork's sweep (a second after it) is done by then
pid=$(kbox_pid_of "$wrapper")
if [ -z "$pid" ]; then
	fail "kbox process not found under $wrapper"
else
	serve_idle "a guest that forked, then sleeps" "$pid"
fi
wait "$wrapper"
expect_status 0 $? "guest sh -c 'sleep 1; sleep 6' ran to the end"

# The main process gone, a background job left: kbox serves it to its
# end, looking each second whether all that is left is stopped (it woke
# every 20 ms, ~100 times in 2 s).
timeout -k 5 "$KB_TIMEOUT" "$KBOX" -r "$IMG" -- /bin/sh -c 'sleep 6 & echo' \
	>"$TMP/rest.out" 2>&1 </dev/null &
wrapper=$!
sleep 2
pid=$(kbox_pid_of "$wrapper")
if [ -z "$pid" ] || [ "$serve_on_main" = 0 ]; then
	echo "  (background job: kbox not found or not measured)"
else
	a=$(task_ctxt "$pid" "$pid")
	sleep 2
	b=$(task_ctxt "$pid" "$pid")
	if [ $((b - a)) -lt 10 ]; then
		pass "background job left: the serve loop woke $((b - a)) times in 2 s"
	else
		fail "background job left: the serve loop woke $((b - a)) times in 2 s (want < 10)"
	fi
fi
wait "$wrapper"
expect_status 0 $? "kbox waited for the background job"

# An interactive shell on a pty, waiting at its prompt: measured from
# the driver, which then ends it with "exit 7".
SERVE_ON_MAIN=$serve_on_main timeout -k 5 60 python3 - "$KBOX" -r "$IMG" -- /bin/sh -i \
	>"$TMP/pty.out" 2>&1 <<'PY'
import os, pty, select, sys, time

pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])

def drain(secs):
    end = time.time() + secs
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                os.read(fd, 4096)
            except OSError:
                return

def ctxt():
    n = 0
    with open("/proc/%d/task/%d/status" % (pid, pid)) as f:
        for line in f:
            if line.split(":")[0] in ("voluntary_ctxt_switches",
                                      "nonvoluntary_ctxt_switches"):
                n += int(line.split()[1])
    return n

drain(2.5)  # boot, the prompt
if os.environ.get("SERVE_ON_MAIN") == "1":
    a = ctxt()
    drain(2)
    print("wakeups", ctxt() - a)
os.write(fd, b"exit 7\n")
drain(0.5)
_, st = os.waitpid(pid, 0)
print("exit", os.waitstatus_to_exitcode(st))
PY
expect_grep '^exit 7$' "$TMP/pty.out" "interactive sh on a pty exited 7"
n=$(sed -n 's/^wakeups //p' "$TMP/pty.out")
if [ -n "$n" ]; then
	if [ "$n" -lt 6 ]; then
		pass "idle sh -i on a pty: the serve loop woke $n times in 2 s"
	else
		fail "idle sh -i on a pty: the serve loop woke $n times in 2 s (want < 6)"
	fi
fi

timeout -k 5 "$KB_TIMEOUT" "$KBOX" -r "$IMG" -- /bin/sleep 5 \
	>"$TMP/idle.out" 2>&1 </dev/null &
wrapper=$!
sleep 2 # boot and the guest's exec are done by then
pid=$(kbox_pid_of "$wrapper")
if [ -z "$pid" ] || [ "$(cat /proc/"$pid"/task/*/status 2>/dev/null | grep -c ^Pid:)" -lt 3 ]; then
	fail "kbox process (with its threads) not found under $wrapper"
else
	a=$(ctxt_sum "$pid")
	sleep 2
	b=$(ctxt_sum "$pid")
	n=$((b - a))
	if [ "$n" -lt 400 ]; then
		pass "idle kbox: $n context switches in 2 s"
	else
		fail "idle kbox: $n context switches in 2 s (want < 400: a periodic tick?)"
	fi
fi
wait "$wrapper"
expect_status 0 $? "guest sleep 5 ran to the end"

img=$(own_img)
kbo "$TMP/times.out" -r "$img" -- /bin/sh -c '
	sleep 2
	a=$(date +%s%N); touch /tmp/f; m=$(stat -c %.9Y /tmp/f | tr -d .)
	# the coarse clock lags the precise one by a tick (4 ms) at most
	if [ "$m" -ge $((a - 20000000)) ]; then echo "ok: mtime after idle"
	else echo "FAIL: mtime $m is older than the write at $a"; fi
	sleep 1.5
	b=$(date +%s%N); echo x >/var/tmp/g; m=$(stat -c %.9Y /var/tmp/g | tr -d .)
	if [ "$m" -ge $((b - 20000000)) ]; then echo "ok: ext4 mtime after idle"
	else echo "FAIL: ext4 mtime $m is older than the write at $b"; fi
	if [ $((m - a)) -ge 1500000000 ]; then echo "ok: the clock moved on in idle"
	else echo "FAIL: $((m - a)) ns between writes 1.5 s apart"; fi'
expect_status 0 $? "file times after idle"
expect_no_grep '^FAIL' "$TMP/times.out" "file times after idle are current"
expect_grep '^ok: the clock moved' "$TMP/times.out" "all time checks ran"
done_test
