#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# As a normal user (--change-id 1000:1000) the kernel's real permission
# errors come back; the user's own files work.
. "$(dirname "$0")/lib/common.sh"
require

run_user() { kbo "$TMP/out" --change-id 1000:1000 -r "$IMG" -- /bin/sh -c "$1"; }

run_user 'id -u; id -g'
expect_status 0 $? "id as 1000:1000"
[ "$(tr '\n' ' ' <"$TMP/out")" = "1000 1000 " ] && pass "uid/gid 1000" || fail "id: $(cat "$TMP/out")"

run_user 'touch /etc/kbox-denied'
st=$?
[ "$st" -ne 0 ] && pass "touch /etc/x fails (status $st)" || fail "touch in /etc succeeded as user"
expect_grep 'Permission denied' "$TMP/out" "EACCES message"

run_user 'mkdir /kbox-denied'
[ $? -ne 0 ] && pass "mkdir / fails" || fail "mkdir in / succeeded as user"
expect_grep 'Permission denied' "$TMP/out" "mkdir EACCES message"

run_user 'rm -f /bin/sh'
[ $? -ne 0 ] && pass "rm /bin/sh fails" || fail "rm /bin/sh succeeded as user"
expect_grep 'Permission denied' "$TMP/out" "rm EACCES message"

run_user 'chmod 777 /etc/passwd'
[ $? -ne 0 ] && pass "chmod root's file fails" || fail "chmod /etc/passwd succeeded as user"
expect_grep 'Operation not permitted' "$TMP/out" "chmod EPERM message"

run_user 'touch /tmp/mine-$$ && chown 0:0 /tmp/mine-$$'
[ $? -ne 0 ] && pass "chown to root fails" || fail "chown to root succeeded as user"

if img_has "$IMG" /etc/shadow; then
	run_user 'cat /etc/shadow'
	[ $? -ne 0 ] && pass "cat /etc/shadow fails" || fail "user read /etc/shadow"
fi

# the user's own files and dirs work, including in its home
run_user 'set -e; d=${HOME:-/home/user}; [ -d "$d" ] || d=/tmp; cd "$d"
mkdir -p w/x; echo data >w/f; cp w/f w/x/g; mv w/x/g w/x/h; ln -s f w/l
chmod 600 w/f; cat w/l; rm -r w; echo ok-user'
st=$?
sed 's/^/    | /' "$TMP/out"
expect_status 0 "$st" "user file operations in its own directory"
expect_grep '^data$' "$TMP/out" "symlink read as user"
expect_grep '^ok-user$' "$TMP/out" "user script completed"

# sticky /tmp: the user cannot delete root's file there
kbo "$TMP/out" -0 -r "$IMG" -- /bin/sh -c 'touch /tmp/rootfile && chmod 1777 /tmp'
run_user 'rm -f /tmp/rootfile'
[ $? -ne 0 ] && pass "sticky /tmp protects root's file" || fail "user removed root's file in sticky /tmp"
done_test
