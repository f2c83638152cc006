#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A 30 s mixed workload in one kbox session: six loops in parallel (fork +
# O_APPEND, threads + files, tar pipelines, unix sockets, sort pipelines,
# python), every iteration checked; kbox's host fd count sampled during the
# run must not grow; nothing left over afterwards.
. "$(dirname "$0")/../integration/lib/common.sh"
require

marker="kbox-stress-mixed-$$"
script='
end=$(( $(date +%s) + 30 ))
mkdir -p /var/tmp/mixed && cd /var/tmp/mixed || exit 1
run_loop() { # NAME CMD...
	name=$1; shift
	ok=0; bad=0
	while [ "$(date +%s)" -lt "$end" ]; do
		if "$@" >/dev/null 2>&1; then ok=$((ok+1)); else bad=$((bad+1)); echo "failed: $name" >&2; fi
	done
	echo "$name ok=$ok bad=$bad" >>/var/tmp/mixed/result
}
pipeline() { [ "$(seq 1 2000 | sort -rn | head -n 1)" = 2000 ] && [ "$(seq 1 2000 | sort -n | md5sum)" = "$(seq 1 2000 | md5sum)" ]; }
tarpipe() { n=$(tar cf - /etc 2>/dev/null | tar tf - | wc -l); [ "$n" -gt 20 ]; }
pyloop() { [ ! -x /usr/bin/python3 ] || /usr/bin/python3 -c "import os; d=repr(sorted(os.listdir(\"/etc\"))); open(\"/var/tmp/mixed/p.txt\",\"w\").write(d); assert open(\"/var/tmp/mixed/p.txt\").read() == d"; }
: >/var/tmp/mixed/result
run_loop fork-append /opt/kbox-tests/fork-append 10 20 /var/tmp/mixed &
run_loop pthread-files /opt/kbox-tests/pthread-files 20 4 /tmp &
run_loop tar tarpipe &
run_loop unix-echo /opt/kbox-tests/unix-echo /tmp &
run_loop pipeline pipeline &
run_loop python pyloop &
wait
cat /var/tmp/mixed/result
rm -rf /var/tmp/mixed
'
(exec timeout -k 5 90 "$KBOX" -S "$IMG" -- /bin/sh -c "$script" "$marker" >"$TMP/out" 2>"$TMP/err" </dev/null) &
wpid=$!
samples=()
for t in 3 8 13 18 23 28; do
	while [ $SECONDS -lt $t ] && kill -0 $wpid 2>/dev/null; do sleep 0.5; done
	kp=$(kbox_pid_of "$wpid")
	[ -n "$kp" ] && samples+=("$(fd_count "$kp")")
done
wait $wpid
st=$?
cat "$TMP/out"
head -20 "$TMP/err" | sed 's/^/    err| /'
expect_status 0 "$st" "mixed workload"
for l in fork-append pthread-files tar unix-echo pipeline python; do
	if grep -Eq "^$l ok=[1-9][0-9]* bad=0\$" "$TMP/out"; then
		pass "$l loop: $(grep "^$l " "$TMP/out")"
	else
		fail "$l loop: $(grep "^$l " "$TMP/out" || echo 'no result')"
	fi
done
echo "  kbox host fd count samples: ${samples[*]:-none}"
if [ "${#samples[@]}" -ge 3 ]; then
	lo=${samples[1]} hi=${samples[$((${#samples[@]} - 1))]}
	# the count varies with what is in flight; a leak grows steadily
	if [ "$hi" -le $((lo + 32)) ]; then
		pass "kbox host fds do not grow ($lo -> $hi)"
	else
		fail "kbox host fds grew during the run ($lo -> $hi)"
	fi
fi
no_leftovers "$marker" "$IMG"
[ "$FAILS" -eq 0 ] && echo PASS || echo FAIL
done_test
