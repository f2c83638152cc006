#!/bin/bash
# The kernel build holds a lock on its cache while it overlays arch/lx
# and builds: two builds at once (several clones sharing ~/.cache/kbox)
# built one tree's kernel from the other's arch/lx and filed it under the
# wrong inputs hash. With the lock held, a build waits and touches
# nothing; once it is free the build goes on (here to a stub tarball,
# which fails to extract, after the wait).
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
cache=$TEST_TMP/cache
mkdir -p "$cache"
printf 'not a tarball' >"$TEST_TMP/fake.tar.xz"
flock "$cache/.build.lock" sleep 3 &
holder=$!
sleep 0.5
start=$(date +%s%N)
st=0
KBOX_CACHE=$cache LX_TARBALL=$TEST_TMP/fake.tar.xz OUT=$TEST_TMP/out \
	timeout 20 bash "$KBOX_ROOT/kernel/scripts/build-lx.sh" >"$TEST_TMP/log" 2>&1 || st=$?
waited=$((($(date +%s%N) - start) / 1000000))
wait $holder
grep -q 'lx: waiting for another build' "$TEST_TMP/log" || { cat "$TEST_TMP/log"; fail "the build did not wait for the lock"; }
[ "$waited" -ge 1500 ] || fail "the build went on after $waited ms, with the lock held"
[ "$st" -ne 0 ] && [ "$st" -ne 124 ] || fail "status $st: the stub tarball should fail after the wait"
grep -q 'extracting' "$TEST_TMP/log" || fail "the build did not go on once the lock was free"
echo "ok: the build waited ${waited} ms for the lock, then went on"
