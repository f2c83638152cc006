#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A set-user-ID program in a bind gives its ids wherever the guest
# reached it through the bind, under a root kbox. kbox asked lx whether
# the guest's own mounts made the program nosuid at the guest path its
# host path turned back into (kbox_mntview_lx_nosuid): with one source
# bound at two places that was the first place, so a nosuid tmpfs the
# guest put over /mnt (hiding /mnt/b) took the ids from /d/b/suid too,
# and from ./suid run in a cwd held in /mnt/b from before the cover
# (natively both give them: the bind's own mount decides). Now a path
# reaches a bind only through its trap (src/dispatch/bindwalk.c), which
# the guest cannot remount, so its mounts are not asked; the covered
# /mnt/b/suid itself is ENOENT, as natively.
# shellcheck disable=SC2016 # expanded by the guest shell
. "$(dirname "$0")/lib/common.sh"
require
setid_bind_setup
cp "$T" "$b/suid" && chown 0:0 "$b/suid" && chmod 4755 "$b/suid"

kbo "$TMP/out" -R "$img" -b "$b:/mnt/b" -b "$b:/d/b" -- /bin/sh -c '
	run() { python3 -c "import os, sys
os.setgroups([]); os.setresgid(1000, 1000, 1000); os.setresuid(1000, 1000, 1000)
os.execv(sys.argv[1], sys.argv[1:])" "$@" 2>&1; }
	echo plain: $(run /d/b/suid ids)
	cd /mnt/b || exit 9
	busybox mount -t tmpfs -o nosuid,mode=755 tmpfs /mnt || echo mount failed
	echo other: $(run /d/b/suid ids)
	echo held: $(run ./suid ids)
	echo cover: $(run /mnt/b/suid ids)
	cd / && busybox umount /mnt || echo umount failed'
expect_status 0 $? "one source bound twice, one place covered"
expect_grep '^plain: uid 1000 0 0 ' "$TMP/out" "the bind gives the ids"
expect_grep '^other: uid 1000 0 0 ' "$TMP/out" "the other place of the same source still gives them"
expect_grep '^held: uid 1000 0 0 ' "$TMP/out" "so does a cwd held in the covered place"
expect_grep '^cover: .*No such file' "$TMP/out" "the covered place's path is gone"
done_test
