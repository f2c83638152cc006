#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A lease on a bind file under kbox run by root is taken by kbox on its
# checked copy of the guest's fd (taking it on the guest's number let a
# second thread swap in a root-owned file): the lease must still be the
# guest's - F_GETLEASE sees it, a host process's conflicting open breaks
# it with SIGIO to the guest, which releases it, and the open goes on.
. "$(dirname "$0")/lib/common.sh"
[ "$(id -u)" -eq 0 ] || skip "only when kbox runs as the host's root"
require
b=$TMP/b
mkdir -p "$b" && echo data >"$b/f"
kbo "$TMP/out" -S "$IMG" -b "$b:/mnt" -- /usr/bin/python3 -c '
import fcntl, os, signal, time
got = []
fd = os.open("/mnt/f", os.O_RDONLY)
def on_io(s, f):
    got.append(s)
    fcntl.fcntl(fd, 1024, fcntl.F_UNLCK)
signal.signal(signal.SIGIO, on_io)
fcntl.fcntl(fd, 1024, fcntl.F_RDLCK)
print("lease", fcntl.fcntl(fd, 1025), flush=True)
open("/mnt/ready", "w").close()
for i in range(300):
    if got:
        break
    time.sleep(0.1)
print("signal", got)' &
pid=$!
for _ in $(seq 100); do
	[ -e "$b/ready" ] && break
	sleep 0.1
done
timeout 40 sh -c "echo x >>'$b/f'"
expect_status 0 $? "the host's open for writing went on"
wait "$pid"
expect_status 0 $? "the guest ran"
expect_grep '^lease 0$' "$TMP/out" "F_GETLEASE shows the read lease"
expect_grep '^signal \[29\]$' "$TMP/out" "the break reached the guest as SIGIO"
done_test
