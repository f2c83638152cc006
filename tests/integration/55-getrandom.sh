#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The kernel's random generator is ready when the guest starts (seeded
# from the host at boot), as on any running host: getrandom with
# GRND_NONBLOCK succeeds at once instead of failing with EAGAIN, and
# successive reads differ.
. "$(dirname "$0")/lib/common.sh"
require

kbo "$TMP/out" -r "$IMG" -- /usr/bin/python3 -c '
import os
a = os.getrandom(16, os.GRND_NONBLOCK)
b = os.getrandom(16, os.GRND_NONBLOCK)
print("nonblock", len(a), len(b), a != b)'
expect_status 0 $? "python3 calling getrandom(GRND_NONBLOCK) first thing"
expect_grep '^nonblock 16 16 True$' "$TMP/out" "getrandom(GRND_NONBLOCK) returns fresh bytes at once"

# Two runs do not share a seed.
kbo "$TMP/r1" -r "$IMG" -- /usr/bin/python3 -c 'import os; print(os.getrandom(16, os.GRND_NONBLOCK).hex())'
kbo "$TMP/r2" -r "$IMG" -- /usr/bin/python3 -c 'import os; print(os.getrandom(16, os.GRND_NONBLOCK).hex())'
if [ -s "$TMP/r1" ] && ! cmp -s "$TMP/r1" "$TMP/r2"; then
	pass "two runs draw different bytes"
else
	fail "two runs draw different bytes: $(cat "$TMP/r1" "$TMP/r2")"
fi
done_test
