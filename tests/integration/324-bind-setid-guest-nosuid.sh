#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The guest's own nosuid mount decides for a bind's set-ID programs too,
# under a root kbox. kbox routed a bind's path by its text, so after the
# guest mounted a nosuid tmpfs over a directory above the bind (hiding
# the bind's kbox-bind trap from lx) the path still reached the host
# file, and its set-user-ID bit gave uid 0: lx's mnt_may_suid saw only
# the stand-in's tmpfs (src/exec/hostcred.c). The thirtieth session
# asked lx for the mount at the bind's place; now the path is lx's once
# the cover hides the trap (src/dispatch/bindwalk.c). The
# guest's remount of the bind's place or a bind mount of a bind path is
# refused by the trap (EXDEV); if one ever succeeds, its nosuid must
# hold. The plain bind, and the bind again after the umount, still give
# the ids, as does an fd opened before the cover (fexecve: the mount it
# was opened on counts, as natively). Since the thirty-first session the
# covered path itself is lx's (ENOENT, as natively: the tmpfs hides the
# bind; src/dispatch/bindwalk.c), so the cover gives nothing that way.
# shellcheck disable=SC2016 # expanded by the guest shell
. "$(dirname "$0")/lib/common.sh"
require
setid_bind_setup
cp "$T" "$b/suid" && chown 0:0 "$b/suid" && chmod 4755 "$b/suid"
printf '#!/mnt/b/suid\n' >"$b/s1" && chmod 755 "$b/s1"
# a bind on kbox's nosuid /tmp: a mount's nosuid is its own, never its
# parent's (mnt_may_suid looks at the file's mount only)
mkdir "$TMP/t" && chmod 755 "$TMP/t" && cp -a "$b/suid" "$TMP/t/suid"

kbo "$TMP/out" -R "$img" -b "$b:/mnt/b" -b "$TMP/t:/tmp/t" -- /bin/sh -c '
	# run as uid/gid 1000: argv[1] by path, or an fd opened before ("fd")
	run() { python3 -c "import os, sys
os.setgroups([]); os.setresgid(1000, 1000, 1000); os.setresuid(1000, 1000, 1000)
if sys.argv[1] == \"fd\":
    os.execve(int(sys.argv[2]), [\"suid\", \"ids\"], {})
os.execv(sys.argv[1], sys.argv[1:])" "$@" 2>&1; }
	echo plain: $(run /mnt/b/suid ids)
	echo tmp: $(run /tmp/t/suid ids)
	mkdir -p /mnt/c
	if busybox mount -o remount,bind,nosuid /mnt/b 2>/dev/null; then
		echo remount: $(run /mnt/b/suid ids)
	else
		echo remount: refused
	fi
	if busybox mount --bind /mnt/b /mnt/c 2>/dev/null &&
		busybox mount -o remount,bind,nosuid /mnt/c 2>/dev/null; then
		echo bindns: $(run /mnt/c/suid ids)
	else
		echo bindns: refused
	fi
	exec 7</mnt/b/suid
	busybox mount -t tmpfs -o nosuid,mode=755 tmpfs /mnt || echo mount failed
	grep " /mnt " /proc/self/mountinfo | cut -d" " -f6 | sed "s/^/flags: /"
	echo cover: $(run /mnt/b/suid ids)
	echo script: $(run /mnt/b/s1 ids)
	echo fd: $(run fd 7)
	busybox umount /mnt || echo umount failed
	echo back: $(run /mnt/b/suid ids)'
expect_status 0 $? "the guest's mounts around a bind"
expect_grep '^plain: uid 1000 0 0 ' "$TMP/out" "the plain bind gives the ids"
expect_grep '^tmp: uid 1000 0 0 ' "$TMP/out" "a bind under a nosuid parent mount gives them"
expect_grep '^remount: (refused|uid 1000 1000 1000 )' "$TMP/out" "a remount nosuid of the bind's place: refused or nosuid"
expect_grep '^bindns: (refused|uid 1000 1000 1000 )' "$TMP/out" "a nosuid bind mount of a bind path: refused or nosuid"
expect_grep '^flags: rw,nosuid,relatime$' "$TMP/out" "the guest's tmpfs over /mnt is nosuid"
expect_grep '^cover: .*No such file' "$TMP/out" "a set-user-ID program under the guest's nosuid mount is not reached (bindwalk.c)"
expect_grep '^script: .*No such file' "$TMP/out" "nor as a #! interpreter"
expect_grep '^fd: uid 1000 0 0 ' "$TMP/out" "an fd opened before the cover keeps its mount's rights"
expect_grep '^back: uid 1000 0 0 ' "$TMP/out" "after the umount the bind gives them again"
done_test
