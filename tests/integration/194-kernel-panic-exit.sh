#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A panic of lx ends kbox with the kernel's message and status 1: panic()
# spun for ever, so more than 32 unknown -k words ("Too many boot init
# vars") hung kbox, saying nothing. -k mem= larger than the host's memory
# is one clear line and status 1 (mem=100T aborted with a core dump,
# mem=1T did not finish booting). The image stays clean.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
KB_TIMEOUT=30 kbo "$TMP/out" -k "$(echo x{1..40})" -r "$img" -- /bin/true
expect_status 1 $? "40 unknown kernel parameters"
expect_grep '^kbox: kernel panic: Too many boot init vars' "$TMP/out" "the panic is said"
KB_TIMEOUT=30 kbo "$TMP/out" -k mem=100T -r "$img" -- /bin/true
expect_status 1 $? "-k mem=100T"
expect_grep "^kbox: -k mem=[0-9]+M is more than the host's memory" "$TMP/out" "one clear line"
check "just that line" test "$(wc -l <"$TMP/out")" -eq 1
kbo "$TMP/out" -k mem=64M -r "$img" -- /bin/true
expect_status 0 $? "-k mem=64M still boots"
e2fsck -fn "$img" >/dev/null 2>&1
check "image clean (e2fsck -fn)" test $? -eq 0
done_test
