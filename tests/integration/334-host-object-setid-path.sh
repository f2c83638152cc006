#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A set-ID host file outside every bind (here inherited from kbox's
# caller as fd 5; a host process could hand one over by SCM_RIGHTS)
# gives no ids under a root kbox, whether run by fexecve or by a path to
# it (/proc/self/fd/5, as a #! interpreter too). The path forms took its
# bits (its lx stand-in was made for any host file, only fexecve asked
# whether it lay in a bind). A bind's own set-ID file, by path or by a
# /proc/self/fd link, still gives them, also when the bind's source was
# given through a symlink: kbox matched host paths against the source's
# text, so there fexecve gave no ids and /proc/self/fd named the host
# path (the source is now the host's name of the opened directory, as
# mount --bind resolves it).
# shellcheck disable=SC2016 # expanded by the guest shell
. "$(dirname "$0")/lib/common.sh"
require
setid_bind_setup
cp "$T" "$b/suid" && chown 2000:3000 "$b/suid" && chmod 6755 "$b/suid"
cp -a "$b/suid" "$TMP/host-suid"

# -r: lx's /tmp is the image's directory, not a nosuid tmpfs, so the
# guest's mounts do not stop the host path's bits either
kbo "$TMP/out" -r "$img" --change-id 1000 -b "$b:/mnt/b" -- /bin/sh -c '
	printf "#!/proc/self/fd/5\n" >/tmp/s5 && chmod 755 /tmp/s5
	echo path: $(/proc/self/fd/5 ids)
	echo script: $(/tmp/s5 ids)
	echo fexecve: $(python3 -c "import os
os.execve(5, [\"hs\", \"ids\"], {})")
	echo bind: $(/mnt/b/suid ids)
	exec 6</mnt/b/suid
	echo bindfd: $(/proc/self/fd/6 ids)' 5<"$TMP/host-suid"
expect_status 0 $? "set-ID programs by fd and path as uid 1000"
expect_grep '^path: uid 1000 1000 1000 gid 1000 1000 1000 ' "$TMP/out" "a host object by its /proc/self/fd path: no ids"
expect_grep '^script: uid 1000 1000 1000 gid 1000 1000 1000 ' "$TMP/out" "nor as a #! interpreter"
expect_grep '^fexecve: uid 1000 1000 1000 gid 1000 1000 1000 ' "$TMP/out" "nor by fexecve"
expect_grep '^bind: uid 1000 2000 2000 gid 1000 3000 3000 ' "$TMP/out" "a bind's set-ID file by path gives its ids"
expect_grep '^bindfd: uid 1000 2000 2000 gid 1000 3000 3000 ' "$TMP/out" "and by its /proc/self/fd path"

ln -s "$b" "$TMP/lnk"
kbo "$TMP/lnk.out" -R "$img" --change-id 1000 -b "$TMP/lnk:/mnt/l" -- /bin/sh -c '
	echo path: $(/mnt/l/suid ids)
	exec 6</mnt/l/suid
	echo link: $(readlink /proc/self/fd/6)
	echo fexecve: $(python3 -c "import os
os.execve(6, [\"suid\", \"ids\"], {})")'
expect_status 0 $? "a bind whose source is a symlink"
expect_grep '^path: uid 1000 2000 2000 gid 1000 3000 3000 ' "$TMP/lnk.out" "its set-ID file by path gives its ids"
expect_grep '^link: /mnt/l/suid$' "$TMP/lnk.out" "an fd of it is named by its guest path"
expect_grep '^fexecve: uid 1000 2000 2000 gid 1000 3000 3000 ' "$TMP/lnk.out" "fexecve of it gives its ids"
done_test
