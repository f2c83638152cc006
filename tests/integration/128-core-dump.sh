#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A guest's core dump lands in its cwd in the guest, owned by it, mode
# 0600: the host wrote it in kbox's private directory (the guest's host
# cwd), where it was deleted at exit and cores overwrote each other.
# Only with a relative core_pattern ("core", "core.%p"), which is where
# the host writes it into the cwd; a pipe or a path is the host's.
. "$(dirname "$0")/lib/common.sh"
require
pat=$(cat /proc/sys/kernel/core_pattern 2>/dev/null)
case $pat in
'' | '|'* | /*) skip "core_pattern '$pat' does not write into the cwd" ;;
esac
# common.sh lowers the soft limit only
ulimit -S -c unlimited 2>/dev/null || ulimit -S -c "$(ulimit -H -c)"
[ "$(ulimit -S -c)" = 0 ] && skip "RLIMIT_CORE is 0 here"

kbo "$TMP/out" -S "$IMG" -- /bin/sh -c '
mkdir -p /var/tmp/ca /var/tmp/cb /var/tmp/cu && chown 1000:1000 /var/tmp/cu
cd /var/tmp/ca && /opt/kbox-tests/core-dump
cd /var/tmp/cb && /opt/kbox-tests/core-dump
exit 0'
expect_status 0 $? "two processes dumped core in two directories"
kbo "$TMP/out" --change-id 1000:1000 -r "$IMG" -w /var/tmp/cu -- /opt/kbox-tests/core-dump
expect_status 139 $? "uid 1000's main process dumped core"
kbo "$TMP/ls" -S "$IMG" -- /bin/sh -c \
	'for d in ca cb cu; do echo "$d $(stat -c "%a %u %s" /var/tmp/$d/core* 2>&1)"; done'
expect_status 0 $? "a later run lists them"
expect_grep '^ca 600 0 [1-9][0-9]*$' "$TMP/ls" "the first core, in its cwd, root's, 0600"
expect_grep '^cb 600 0 [1-9][0-9]*$' "$TMP/ls" "the second, in its own cwd"
expect_grep '^cu 600 1000 [1-9][0-9]*$' "$TMP/ls" "uid 1000's, owned by it"

# A cwd in a bind: the core lands in the host directory (it went into the
# image directory the bind hides).
mkdir -p "$TMP/hb" "$TMP/hu" && chmod 777 "$TMP/hu"
kbo "$TMP/out" -S "$IMG" -b "$TMP/hb:/hb" -- /bin/sh -c 'cd /hb && /opt/kbox-tests/core-dump; exit 0'
expect_status 0 $? "root dumped core in a bind"
check "its core is in the bind's host directory, 0600" \
	sh -c "stat -c '%a %s' '$TMP'/hb/core* | grep -Eqx '600 [1-9][0-9]*'"
kbo "$TMP/out" --change-id 1000:1000 -r "$IMG" -b "$TMP/hu:/hu" -w /hu -- /opt/kbox-tests/core-dump
expect_status 139 $? "uid 1000 dumped core with its cwd in a bind"
if [ "$(id -u)" = 0 ]; then
	check "uid 1000's core in the bind, owned by 1000" \
		sh -c "stat -c '%a %u' '$TMP'/hu/core* | grep -qx '600 1000'"
else
	check "uid 1000's core in the bind" sh -c "ls '$TMP'/hu/core*"
fi
done_test
