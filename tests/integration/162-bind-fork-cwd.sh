#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/bind-fork-cwd: a child's cwd is its parent's at fork when
# either is in a bind, also when the parent changes directory or exits
# before the child's first call (`cmd & cd x`, `(cmd &)`: 7 in 10 such
# grandchildren ran in "/").
. "$(dirname "$0")/lib/common.sh"
require
mkdir -p "$TMP/b" && chmod 777 "$TMP/b"
run_guest_test "-b $TMP/b:/mnt/b -S" bind-fork-cwd /mnt/b
rm -rf "${TMP:?}/b"/*
run_guest_test "-b $TMP/b:/mnt/b --change-id 1000:1000 -R" bind-fork-cwd /mnt/b
done_test
