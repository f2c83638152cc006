#!/bin/bash
# mkrootfs killed at random points never leaves a partial image under the
# final name, nor a temporary file (SIGINT/SIGTERM run the cleanup).
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
src=$TEST_TMP/src
mkdir -p "$src"
for i in $(seq 1 300); do head -c 30000 /dev/urandom >"$src/f$i"; done
out=$TEST_TMP/img.ext4
for delay in 0.05 0.1 0.2 0.3 0.5 0.8; do
    for sig in INT TERM; do
        rm -f "$out"
        "$MKROOTFS" -q --cache "$TEST_TMP/cache" --from "$src" -o "$out" &
        pid=$!
        sleep "$delay"
        kill -s "$sig" "$pid" 2>/dev/null || true
        wait "$pid" || true
        if [ -e "$out" ]; then
            e2fsck_clean "$out" # finished before the signal: must be whole
            compare_trees "$src" "$out"
        fi
        sleep 0.2 # let mke2fs children go
        compgen -G "$TEST_TMP/*.tmp" >/dev/null && fail "temporary file left after SIG$sig at ${delay}s"
    done
done
exit 0
