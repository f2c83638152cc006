#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/bind-fd-rights: under kbox run by root a guest user's
# process is the host's root, and calls through its fd of a bind's file
# whose check is the owner or a capability (futimens with times,
# FS_IOC_SETFLAGS, F_SETFL O_NOATIME, F_SETLEASE) passed on any file it
# could open: it made a root-owned host file immutable. They run as the
# guest now: allowed on its own file, refused on root's, as natively.
. "$(dirname "$0")/lib/common.sh"
[ "$(id -u)" -eq 0 ] || skip "only when kbox runs as the host's root"
require
b=$TMP/b
mkdir -p "$b" && chmod 1777 "$b"
echo data >"$b/rootfile" && chmod 644 "$b/rootfile"
run_guest_test "-b $b:/mnt/b --change-id 1000:1000 -R" bind-fd-rights /mnt/b /mnt/b/rootfile
attrs=$(lsattr "$b/rootfile" 2>/dev/null | cut -d' ' -f1)
case "$attrs" in
*i* | *d*)
	fail "root's file got attributes: $attrs"
	chattr -i -d "$b/rootfile"
	;;
*) pass "root's file kept its attributes ($attrs)" ;;
esac
done_test
