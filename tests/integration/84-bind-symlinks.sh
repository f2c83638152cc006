#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A symlink inside a bind that leads out of it (absolute, or up with ..)
# is followed in the guest's tree, as Linux follows it (the host resolves
# bind paths beneath the bind and said EXDEV: a venv's bin/python3 ->
# /usr/bin/python3 in a bound project failed); #! interpreters in a bind
# are found too (they were looked up in lx only). It never reaches the
# host's tree: /etc/kbox-marker exists in the guest only. `tar -x` of
# symlinks into a bind exited 2 (glibc's lchmod opens the link O_PATH |
# O_NOFOLLOW: ELOOP, now EOPNOTSUPP as natively for a link); readlinkat
# (fd, "") of an O_PATH link in the image was ENOENT.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
b=$TMP/bind
mkdir -p "$b"
kbo "$TMP/sl.out" -S "$img" -b "$b:/bw" -- /bin/sh -c '
	echo guest >/etc/kbox-marker
	ln -s /etc/kbox-marker /bw/abs && cat /bw/abs
	ln -s ../etc/kbox-marker /bw/rel && echo "rel $(cat /bw/rel)"
	ln -s /usr/lib /bw/lib && ls /bw/lib/os-release
	mkdir /bw/d && ln -s /tmp /bw/d/t && touch /bw/d/t/made && ls /tmp/made
	mkdir -p /bw/v/bin && ln -s /usr/bin/python3 /bw/v/bin/python3
	/bw/v/bin/python3 -c "print(\"venv python runs\")"
	printf "#!/bw/v/bin/python3\nprint(\"its scripts run\")\n" >/bw/s.py
	chmod +x /bw/s.py && /bw/s.py
	echo "lstat $(stat -c %F /bw/abs) -> $(readlink /bw/abs)"
	ln -s /bw/loop /bw/loop; cat /bw/loop 2>/dev/null || echo "loop fails"
	mkdir /root/t && cd /root/t && echo x >f && ln -s f rel && ln -s /nowhere dang
	tar -cf /root/t.tar . && mkdir /bw/ex && cd /bw/ex && tar -xf /root/t.tar &&
	echo "tar -x into the bind: $(readlink rel) $(readlink dang)"
	cd / && python3 -c "if 1:
	import os
	fd = os.open(\"/root/t/rel\", os.O_PATH | os.O_NOFOLLOW)
	print(\"image link by fd:\", os.readlink(\"\", dir_fd=fd))
	try:
	    os.open(\"/bw/ex/rel\", os.O_PATH | os.O_NOFOLLOW)
	except OSError as e:
	    print(\"bind link O_PATH:\", e.strerror)"'
expect_status 0 $? "paths through symlinks leaving a bind"
expect_grep '^guest$' "$TMP/sl.out" "an absolute link leads to the guest's file"
expect_grep '^rel guest$' "$TMP/sl.out" "a relative link up out of the bind too"
expect_grep '^/bw/lib/os-release$' "$TMP/sl.out" "a directory link in the middle of a path"
expect_grep '^/tmp/made$' "$TMP/sl.out" "a file created through such a link lands in the guest"
expect_grep '^venv python runs$' "$TMP/sl.out" "a program run through such a link"
expect_grep '^its scripts run$' "$TMP/sl.out" "a #! interpreter in a bind, through such a link"
expect_grep '^lstat symbolic link -> /etc/kbox-marker$' "$TMP/sl.out" "lstat and readlink see the link itself"
expect_grep '^loop fails$' "$TMP/sl.out" "a link to itself fails (ELOOP)"
expect_grep '^tar -x into the bind: f /nowhere$' "$TMP/sl.out" "tar -x of symlinks into a bind"
expect_grep '^image link by fd: f$' "$TMP/sl.out" "readlinkat(fd, \"\") of an O_PATH link"
expect_grep '^bind link O_PATH: Operation not supported$' "$TMP/sl.out" "O_PATH of a link in a bind: EOPNOTSUPP"
check "the host's /etc is not touched" [ ! -e /etc/kbox-marker ]
done_test
