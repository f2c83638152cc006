#!/bin/bash
# Six mkrootfs runs writing the same output at once: all succeed, the final
# image is complete and clean, and no temporary file is left.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
src=$TEST_TMP/src
mkdir -p "$src/etc"
for i in $(seq 1 200); do head -c $((i * 97)) /dev/urandom >"$src/etc/f$i"; done
pids=()
for i in 1 2 3 4 5 6; do
    "$MKROOTFS" -q --cache "$TEST_TMP/cache" --from "$src" -o "$TEST_TMP/same.ext4" &
    pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || fail "a concurrent mkrootfs failed"; done
e2fsck_clean "$TEST_TMP/same.ext4"
compare_trees "$src" "$TEST_TMP/same.ext4"
compgen -G "$TEST_TMP/*.tmp" >/dev/null && fail "temporary file left behind"
exit 0
