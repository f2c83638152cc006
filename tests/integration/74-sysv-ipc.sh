#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# System V IPC (tests/guest/sysv-ipc): message queues and semaphore sets
# in lx, shared memory as host segments that lx names and checks. A
# segment of the host's own cannot be reached from the guest, and no
# segment outlives kbox, even when kbox is killed.
. "$(dirname "$0")/lib/common.sh"
require

host_segs() { ipcs -m 2>/dev/null | awk '$2 ~ /^[0-9]+$/ {print $2}' | sort; }

outside=
if command -v ipcmk >/dev/null; then
	outside=$(ipcmk -M 4096 2>/dev/null | awk '{print $NF}')
fi
before=$(host_segs)
run_guest_test "-S" sysv-ipc root $outside
run_guest_test "-R" sysv-ipc
[ "$(host_segs)" = "$before" ] && pass "no host segment is left after kbox exits" ||
	fail "host segments left: $(comm -13 <(echo "$before") <(host_segs) | tr '\n' ' ')"

# kbox killed while the guest holds a segment: it goes with the guest
img=$(own_img)
marker="kbox-sysv-hold-$$"
"$KBOX" -r "$img" -- /bin/bash -c "exec -a $marker /opt/kbox-tests/sysv-ipc hold" \
	</dev/null >"$TMP/hold.out" 2>&1 &
kb=$!
for _ in $(seq 50); do grep -q holding "$TMP/hold.out" && break; sleep 0.1; done
expect_grep '^holding' "$TMP/hold.out" "the guest holds a segment"
kill -9 "$kb"
wait "$kb" 2>/dev/null
pkill -9 -f "$marker" || true
sleep 0.5
[ "$(host_segs)" = "$before" ] && pass "a killed kbox leaves no segment behind" ||
	fail "host segments left after kill: $(comm -13 <(echo "$before") <(host_segs) | tr '\n' ' ')"
[ -n "$outside" ] && ipcrm -m "$outside"
done_test
