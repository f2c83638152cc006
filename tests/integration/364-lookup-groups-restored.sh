#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# kbox's own command lookup judges a bind's file with the guest user's
# fs ids and groups on kbox's main thread, then restores kbox's. A root
# kbox with more supplementary groups than its buffer (1024) could not
# read its own, set the guest's anyway and never put its own back: the
# main thread ran on with the guest's groups. kbox's groups must be
# unchanged while the guest runs.
. "$(dirname "$0")/lib/common.sh"
require
{ [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; } ||
	skip "needs a root kbox and setpriv"
img=$(own_img)
mkdir -p "$TMP/tools" "$TMP/sig" && chmod 777 "$TMP/sig"
# the guest says it runs, then waits for the test to have looked
cat >"$TMP/tools/mytool" <<'EOF2'
#!/bin/sh
: >/sig/running
i=0
while [ ! -e /sig/go ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
echo "mytool ran"
EOF2
chmod 755 "$TMP/tools/mytool"
kbo "$TMP/prep" -S "$img" -- /bin/mkdir -p /opt/tools /sig
expect_status 0 $? "the image gets the places"
groups=$(seq -s, 1 1100)
env PATH=/opt/tools:/bin setpriv --groups "$groups" \
	timeout -k 5 "$KB_TIMEOUT" "$KBOX" -R "$img" --change-id 1000:1000 \
	-b "$TMP/tools:/opt/tools" -b "$TMP/sig:/sig" -- mytool \
	>"$TMP/out" 2>&1 </dev/null &
bg=$!
for _ in $(seq 600); do
	[ -e "$TMP/sig/running" ] && break
	kill -0 "$bg" 2>/dev/null || break
	sleep 0.1
done
kp=$(pgrep -P "$bg" | head -1)
if [ -e "$TMP/sig/running" ] && [ -n "$kp" ]; then
	grep '^Groups:' "/proc/$kp/status" | tr -s ' \t' '\n' | sed 1d |
		grep . >"$TMP/groups"
	pass "the guest runs"
	seq 1 1100 >"$TMP/want"
	same_trace "$TMP/want" "$TMP/groups" "kbox's main thread keeps its 1100 groups"
else
	fail "the command in the bind did not start:"
	sed 's/^/    | /' "$TMP/out"
fi
: >"$TMP/sig/go"
wait "$bg"
expect_status 0 $? "kbox's status"
expect_grep '^mytool ran$' "$TMP/out" "the command in a bind ran"
done_test
