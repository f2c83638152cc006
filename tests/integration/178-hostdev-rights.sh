#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/hostdev-rights: under a root kbox a guest user's calls on
# the allow-listed host /dev nodes ran with kbox's root rights on the
# host's /dev (it unlinked /dev/zero, made a device node under that name,
# chmod/chown'd /dev/full), and a root-owned 0644 device node in a bind
# reopened for writing through /dev/fd/N; chdir/fchdir entered directories
# without the search right; any host pty (another session's terminal)
# opened for reading and writing. The probes change nothing on the host, even
# with the bug.
. "$(dirname "$0")/lib/common.sh"
require
[ "$(id -u)" -eq 0 ] || skip "only when kbox runs as the host's root"
b=$TMP/b
mkdir -p "$b/d700" "$b/pub"
chmod 755 "$TMP" "$b"
chmod 700 "$b/d700"
chmod 1777 "$b/pub"
mknod -m 644 "$b/nullnode" c 1 3 2>/dev/null ||
	skip "cannot make a device node in $b"
before=$(stat -c %a:%u:%g:%t:%T /dev/null)
run_guest_test "-b $b:/mnt --change-id 1000:1000 -R" hostdev-rights \
	/mnt/nullnode /mnt/d700 /mnt/pub
run_guest_test "-S" hostdev-rights ptys
after=$(stat -c %a:%u:%g:%t:%T /dev/null)
[ "$before" = "$after" ] &&
	pass "the host's /dev/null is unchanged" ||
	fail "the host's /dev/null was $before, is now $after"
st=$(stat -c %a:%u "$b/nullnode")
[ "$st" = 644:0 ] && pass "the bind's node is unchanged" ||
	fail "the bind's node is now $st"
done_test
