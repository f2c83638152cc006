#!/bin/bash
# SPDX-License-Identifier: MIT
# lx benchmark: usage bench.sh BINDIR LXDIR. Prints numbers; asserts nothing.
set -uo pipefail
BIN=$1 LX=$2
KDIR=$(cd "$(dirname "$0")/../../kernel" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

echo "== lx build"
s=$(date +%s.%N)
OUT=$TMP/out bash "$KDIR/scripts/build-lx.sh" >/dev/null
printf 'no-change rebuild: %.2f s\n' "$(echo "$(date +%s.%N) - $s" | bc)"
if [ "${LX_BENCH_CLEAN:-1}" = 1 ]; then
	# A clean build from the tarball in a scratch cache, as a new machine does.
	s=$(date +%s.%N)
	KBOX_CACHE=$TMP/cache OUT=$TMP/out2 bash "$KDIR/scripts/build-lx.sh" >/dev/null
	printf 'clean build (extract + configure + build + link, %d CPUs): %.0f s\n' \
		"$(nproc)" "$(echo "$(date +%s.%N) - $s" | bc)"
	rm -rf "$TMP/cache"
fi

mke2fs -q -F -t ext4 "$TMP/img.ext4" 64M
echo
echo "== lx calls, pinned to CPU 0 (taskset)"
taskset -c 0 "$BIN/lx_bench" "$TMP/img.ext4" 200000
echo
echo "== lx calls, unpinned (2 vCPUs: kernel threads may wake across CPUs)"
"$BIN/lx_bench" "$TMP/img.ext4" 200000
