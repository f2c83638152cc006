#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# An interactive `sh -i` (and `bash -i`) in a pty: prompt, echo hi, Ctrl-C
# interrupts `sleep 30` (not kbox) and the prompt is back within 1 s,
# background job + kill, Ctrl-Z + jobs + bg + kill %1 (job control), `exit
# 3` gives status 3. See lib/ptydrive.py.
. "$(dirname "$0")/lib/common.sh"
require
require_cmd python3

for sh in /bin/sh /bin/bash; do
	img_has "$IMG" "$sh" || continue
	args=(-i)
	[ "$sh" = /bin/bash ] && args=(--norc --noprofile -i)
	echo "  -- $sh ${args[*]}"
	timeout -k 5 120 python3 "$(dirname "$0")/lib/ptydrive.py" \
		"$KBOX" -S "$IMG" -- "$sh" "${args[@]}" >"$TMP/pty.out" 2>&1
	st=$?
	sed 's/^/    | /' "$TMP/pty.out"
	expect_status 0 "$st" "pty session with $sh"
done
done_test
