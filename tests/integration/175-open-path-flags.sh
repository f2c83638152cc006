#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/open-path-flags: open/openat with O_PATH and flags it does
# not use (musl's O_LARGEFILE, O_NOCTTY), or an unknown flag, succeed in a
# bind as in the image (a bind's openat2 made them EINVAL); openat2
# stays strict. As root and as uid 1000.
. "$(dirname "$0")/lib/common.sh"
require
mkdir -p "$TMP/b"
chmod 0777 "$TMP/b"
run_guest_test "-b $TMP/b:/mnt/b -S" open-path-flags /tmp /mnt/b
run_guest_test "-b $TMP/b:/mnt/b --change-id 1000:1000 -R" open-path-flags \
	/tmp /mnt/b
done_test
