#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/poll-fuzz, a differential fuzzer for readiness: for seeds
# 1, 2, ... (~20 s) it runs natively (as nobody when run as root), then
# in the box with its FIFOs in the image (/var/tmp), in lx's tmpfs (/tmp)
# and in a bind; every kbox trace must equal the native one. Masked (-e,
# see the program): a known gap of docs/supervisor.md. FIFO write
# readiness and read-end hang-ups are compared since the twenty-fifth
# session (-k and -h masked them before), and so are inotify watches in
# the bind (-i left them out while host events reached an instance's
# readiness from a relay thread; the guest's fd is now an epoll set of
# the host instance and lx's mirror).
. "$(dirname "$0")/../integration/lib/common.sh"
require
fz=$BUILD/guest/poll-fuzz
[ -x "$fz" ] || skip "no $fz (make guest-tests)"
img=$(own_img)
mkdir -p "$TMP/bind"
# The native runs' FIFOs and program where "nobody" reaches them (the
# test's own directory may sit under one it cannot enter).
nat=$(mktemp -d /tmp/kbox-poll-fuzz.XXXXXX) || fail "mktemp"
trap 'rm -rf "$nat"; cleanup' EXIT
cp "$fz" "$nat/poll-fuzz" && fz=$nat/poll-fuzz
mkdir -p "$nat/d"
chmod 755 "$nat" && chmod 1777 "$nat/d"
as_user=()
[ "$(id -u)" = 0 ] && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
opts=(-e -n 150)
end=$((SECONDS + 20))
seed=0
while [ $SECONDS -lt $end ] && [ $seed -lt 200 ]; do
	seed=$((seed + 1))
	timeout 20 "${as_user[@]}" "$fz" "${opts[@]}" "$nat/d" $seed >"$TMP/n.txt" 2>&1 ||
		{ fail "seed $seed: native run failed"; break; }
	KB_TIMEOUT=60 kbo "$TMP/k.txt" -S "$img" -b "$TMP/bind:/mnt/fz" -- /bin/sh -c "
		f=/opt/kbox-tests/poll-fuzz
		\$f ${opts[*]} /var/tmp $seed >/root/fz1 2>&1
		\$f ${opts[*]} /tmp $seed >/root/fz2 2>&1
		\$f ${opts[*]} /mnt/fz $seed >/root/fz3 2>&1
		for i in 1 2 3; do cat /root/fz\$i; echo ==END==; done"
	st=$?
	if [ $st -ne 0 ]; then
		fail "seed $seed: kbox status $st"
		sed 's/^/    | /' "$TMP/k.txt" | tail -5
		break
	fi
	i=0
	for where in /var/tmp /tmp bind; do
		i=$((i + 1))
		awk -v n=$i '/^==END==$/ { c++; next } c == n - 1' "$TMP/k.txt" >"$TMP/k$i.txt"
		want=$TMP/n.txt
		if ! cmp -s "$want" "$TMP/k$i.txt"; then
			fail "seed $seed ($where): kbox differs from native"
			diff "$want" "$TMP/k$i.txt" | head -8 | sed 's/^/    | /'
		fi
	done
	[ "$FAILS" -eq 0 ] || break
done
echo "$seed seeds"
[ "$seed" -gt 0 ] && [ "$FAILS" -eq 0 ] && pass "$seed seeds, 3 places each, as natively"
[ "$FAILS" -eq 0 ] && echo PASS || echo FAIL
done_test
