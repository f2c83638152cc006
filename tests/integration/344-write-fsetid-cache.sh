#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Whether a guest write clears a bind file's set-ID bits follows the
# writer's CAP_FSETID at that write, which kbox keeps per process
# between changes of its ids (src/dispatch/killpriv.c): a guest root
# that wrote once (bit kept) and then lost CAP_FSETID, by capset alone
# or by dropping to a user, clears them at its next write; a user that
# wrote once (bits cleared) and then exec'd a set-user-ID root program
# keeps them at that program's writes, as natively.
. "$(dirname "$0")/lib/common.sh"
require
[ "$(id -u)" -eq 0 ] || skip "needs a root kbox (other users' set-ID files)"
img=$(own_img)
b=$TMP/bind
mkdir -p "$b" && chmod 777 "$b" && chmod 755 "$TMP"
for n in r1 c1 r2 u1 u2 s1; do
	printf 'hello\n' >"$b/$n" && chown 2000:3000 "$b/$n" && chmod 4777 "$b/$n"
done

kbo "$TMP/out" -S "$img" -b "$b:/mnt/b" -- /bin/sh -c '
cp /opt/kbox-tests/write-fsetid /usr/local/bin/wf && chmod 4755 /usr/local/bin/wf &&
exec /opt/kbox-tests/write-fsetid /mnt/b /usr/local/bin/wf'
expect_status 0 $? "a root that drops, a user that execs a set-user-ID root program"
want() { # want NAME MODE WHAT
	expect_grep "^$1 $2\$" "$TMP/out" "$3"
}
want r1 4777 "a guest root's first write keeps set-user-ID"
want c1 777 "after a capset without CAP_FSETID its next write clears it"
want r2 4777 "a guest root's first write keeps set-user-ID (again)"
want u1 777 "after setresuid to a user its next write clears it"
want u2 777 "a user's write clears set-user-ID"
expect_grep '^euid 0$' "$TMP/out" "the set-user-ID root copy ran as root"
s1=$(stat -c %a "$b/s1")
check "then its set-user-ID root program's write keeps it ($s1)" [ "$s1" = 4777 ]
check "and that write was made" grep -qx x "$b/s1"
done_test
