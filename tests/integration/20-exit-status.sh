#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# kbox's exit status is the guest's, 128+signal when it was killed.
. "$(dirname "$0")/lib/common.sh"
require

for code in 0 1 2 42 126 255; do
	kb -r "$IMG" -- /bin/sh -c "exit $code" </dev/null >/dev/null 2>&1
	expect_status "$code" $? "exit $code"
done
kb -r "$IMG" -- /bin/false </dev/null >/dev/null 2>&1
expect_status 1 $? "/bin/false"
kb -r "$IMG" -- /bin/true </dev/null >/dev/null 2>&1
expect_status 0 $? "/bin/true"
for sig in TERM:143 KILL:137 INT:130 HUP:129 USR1:138 SEGV:139 ABRT:134; do
	kb -r "$IMG" -- /bin/sh -c "kill -${sig%%:*} \$\$; sleep 5" </dev/null >/dev/null 2>&1
	expect_status "${sig##*:}" $? "guest killed by SIG${sig%%:*}"
done
# status of the last command of a pipeline / of a child that was killed
kb -r "$IMG" -- /bin/sh -c 'sleep 10 & kill -9 $!; wait $!' </dev/null >/dev/null 2>&1
expect_status 137 $? "wait status of a SIGKILLed child"
if [ -f "$BUILD/guest/exitcode" ] && img_has "$IMG" /opt/kbox-tests/exitcode; then
	kb -S "$IMG" -- /opt/kbox-tests/exitcode -s 15 </dev/null >/dev/null 2>&1
	expect_status 143 $? "C guest killed by SIGTERM"
fi
done_test
