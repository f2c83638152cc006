#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# /proc/<pid>/exe names the program as Linux does: by its real path
# (symlinks resolved, from the process's root), the interpreter for a
# #! script, the file itself after fexecve. kbox gave the path as the
# caller spelled it, so `python3` was /usr/bin/python3 rather than
# python3.11, and programs that find their own files next to their
# real path (Java, toolchains) looked in the wrong place.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)

# shellcheck disable=SC2016 # expanded by the guest's shell
kbo "$TMP/out" -S "$img" -- /bin/sh -c '
	python3 -c "import os; print(\"python3:\", os.readlink(\"/proc/self/exe\"))"
	printf "#!/bin/sh\necho \"script: \$(readlink /proc/\$\$/exe)\"\n" >/root/s.sh
	chmod +x /root/s.sh
	/root/s.sh
	cd /bin && ./sh -c "echo \"relative: \$(readlink /proc/\$\$/exe)\""
	cd /
	python3 -c "
import os
fd = os.open(\"/usr/bin/readlink\", os.O_RDONLY)
os.execve(fd, [\"readlink\", \"/proc/self/exe\"], {})" | sed "s/^/fexecve: /"
	mkdir -p /srv/c/bin && cp /usr/bin/busybox /srv/c/bin/
	chroot /srv/c /bin/busybox sh -c "echo \"chroot: \$(/bin/busybox readlink /proc/\$\$/exe)\""'
expect_status 0 $? "the guest runs"
expect_grep '^python3: /usr/bin/python3\.11$' "$TMP/out" "a program run through a symlink: the link's target"
expect_grep '^script: /usr/bin/dash$' "$TMP/out" "a #! script: its interpreter's real path"
expect_grep '^relative: /usr/bin/dash$' "$TMP/out" "a relative path through a symlinked directory"
expect_grep '^fexecve: /usr/bin/readlink$' "$TMP/out" "fexecve: the file's path"
expect_grep '^chroot: /bin/busybox$' "$TMP/out" "inside a chroot: the path from the new root"
# lstat sees the links themselves, as natively (they read as the files)
kbo "$TMP/lstat.out" -S "$(own_img)" -- /bin/sh -c \
	'stat -c "%n %F" /proc/self/exe /proc/self/root; stat -L -c "%n %F" /proc/self/exe'
expect_grep '^/proc/self/exe symbolic link$' "$TMP/lstat.out" "lstat of /proc/self/exe: a link"
expect_grep '^/proc/self/root symbolic link$' "$TMP/lstat.out" "lstat of /proc/self/root: a link"
expect_grep '^/proc/self/exe regular file$' "$TMP/lstat.out" "stat follows it to the program"
done_test
