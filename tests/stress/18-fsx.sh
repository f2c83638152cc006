#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/fsx, the model-checked file-data tester, for ~4 s in each of
# the places kbox serves files from differently: an image file (/var/tmp),
# lx's tmpfs (/tmp, /dev/shm as a user) and a host directory bound in
# with -b. Seeds 1..4 by default (printed; KBOX_FSX_SEED=N starts them
# at N; fsx -s SEED -n OPS then shows the failing op's log). Each run is
# bounded by time, so how many ops it does varies with the machine.
. "$(dirname "$0")/../integration/lib/common.sh"
require
seed=${KBOX_FSX_SEED:-1}
echo "fsx seed base $seed"
mkdir -p "$TMP/bind"
chmod 777 "$TMP/bind"
KB_TIMEOUT=40
img=$(own_img)
i=0
for run in "-S|/var/tmp" "-S|/tmp" "-S|/mnt/fsx" \
	"--change-id 1000:1000 -R|/dev/shm"; do
	opts=${run%%|*}
	dir=${run#*|}
	s=$((seed + i))
	i=$((i + 1))
	# shellcheck disable=SC2086 # opts is a word list on purpose
	kbo "$TMP/out$i" $opts "$img" -b "$TMP/bind:/mnt/fsx" -- \
		/opt/kbox-tests/fsx -s "$s" -n 200000 -T 4 "$dir/fsx.$$"
	st=$?
	grep -v '^  ' "$TMP/out$i" | head -5
	expect_status 0 "$st" "fsx -s $s in $dir [$opts]"
	expect_grep '^fsx: PASS' "$TMP/out$i" "fsx -s $s in $dir passed"
done
[ "$FAILS" -eq 0 ] && echo PASS || echo FAIL
done_test
