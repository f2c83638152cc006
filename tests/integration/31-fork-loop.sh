#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# for i in $(seq 200); do /bin/true; done  (200 fork+exec from the image)
. "$(dirname "$0")/lib/common.sh"
require

start=$(date +%s%N)
kbo "$TMP/out" -S "$IMG" -- /bin/sh -c 'n=0; for i in $(seq 200); do /bin/true && n=$((n+1)); done; echo "$n"; for i in $(seq 50); do /bin/false || n=$((n+1)); done; echo "$n"'
st=$?
ms=$((($(date +%s%N) - start) / 1000000))
expect_status 0 "$st" "200 x /bin/true loop"
expect_grep '^200$' "$TMP/out" "all 200 /bin/true succeeded"
expect_grep '^250$' "$TMP/out" "50 x /bin/false returned 1"
echo "  (took ${ms} ms)"
done_test
