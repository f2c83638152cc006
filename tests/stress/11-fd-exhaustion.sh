#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# fd exhaustion and reuse: open until EMFILE (with ulimit -n 256), close
# all, numbers are reused, 5 rounds; kbox's own host fd count does not grow
# from round to round (no leaked host fds).
. "$(dirname "$0")/../integration/lib/common.sh"
require
img_has "$IMG" /usr/bin/python3 || skip "no python3 in the image"

sync_dir=$TMP/sync
mkdir -p "$sync_dir"
chmod 777 "$sync_dir"
prog='
import errno, os, sys, time
rounds = 5
first = None
for r in range(rounds):
    fds = []
    try:
        while True:
            fds.append(os.open("/etc/hostname" if len(fds) % 2 else "/tmp", os.O_RDONLY))
    except OSError as e:
        if e.errno != errno.EMFILE:
            print("FAIL round %d: errno %s" % (r, errno.errorcode.get(e.errno)))
            sys.exit(1)
    n = len(fds)
    if first is None:
        first = n
    ok = n == first and n > 200
    # every fd works
    for fd in fds[1::2]:
        if os.pread(fd, 4, 0) != b"kbox":
            ok = False
    for fd in fds:
        os.close(fd)
    again = os.open("/etc/hostname", os.O_RDONLY)
    ok = ok and again == min(fds)
    os.close(again)
    print("%s round %d: %d fds before EMFILE, lowest reused" % ("ok" if ok else "FAIL", r, n), flush=True)
    if not ok:
        sys.exit(1)
    with open("/mnt/round", "w") as f:
        f.write(str(r))
    time.sleep(1.0)
print("done")
'
(ulimit -n 256; exec timeout -k 5 60 "$KBOX" -S "$IMG" -b "$sync_dir:/mnt" -- /usr/bin/python3 -c "$prog" >"$TMP/out" 2>&1 </dev/null) &
wpid=$!
counts=()
last=-1
for _ in $(seq 1 120); do
	sleep 0.25
	r=$(cat "$sync_dir/round" 2>/dev/null || echo -1)
	if [ "$r" != "$last" ] && [ "$r" != -1 ]; then
		kp=$(kbox_pid_of "$wpid") # timeout's child is kbox
		c=$(fd_count "${kp:-0}")
		counts+=("$c")
		last=$r
	fi
	kill -0 $wpid 2>/dev/null || break
done
wait $wpid
st=$?
cat "$TMP/out"
expect_status 0 "$st" "fd exhaustion rounds"
[ "$(grep -c '^ok round' "$TMP/out")" = 5 ] && pass "5 rounds" || fail "not all rounds passed"
echo "  kbox host fd count per round: ${counts[*]:-none}"
if [ "${#counts[@]}" -ge 3 ]; then
	first=${counts[1]} lastc=${counts[$((${#counts[@]} - 1))]}
	if [ "$lastc" -le $((first + 4)) ]; then
		pass "kbox host fds stable across rounds ($first -> $lastc)"
	else
		fail "kbox host fds grew across rounds ($first -> $lastc)"
	fi
else
	echo "  (too few samples to judge host fds)"
fi
no_leftovers "$IMG"
[ "$FAILS" -eq 0 ] && echo PASS || echo FAIL
done_test
