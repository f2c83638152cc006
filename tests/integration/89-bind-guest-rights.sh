#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# When kbox is the host's root and the guest is not (--change-id), host
# calls on a bind are checked with the guest's identity: it read 0600
# files of others, wrote into their directories, chown'd files to root,
# made device nodes and set trusted.* xattrs (the host checked kbox's
# root rights). Files it creates there are its own.
. "$(dirname "$0")/lib/common.sh"
require
[ "$(id -u)" -eq 0 ] || skip "only when kbox runs as the host's root"
img=$(own_img)
b=$TMP/bind
mkdir -p "$b/priv" "$b/pub"
echo secret >"$b/priv/secret"
chmod 600 "$b/priv/secret"
chmod 700 "$b/priv"
chmod 1777 "$b/pub"
echo root >"$b/pub/rootfile"
chmod 644 "$b/pub/rootfile"
printf '#!/bin/sh\necho "tool ran as $(id -u)"\n' >"$b/pub/tool"
chmod 755 "$b/pub/tool"
kbo "$TMP/out" -R "$img" --change-id 1000:1000 -b "$b:/mnt" -- /bin/sh -c '
	echo "uid $(id -u)"
	cat /mnt/priv/secret 2>/dev/null || echo "read denied"
	(echo x >/mnt/priv/new) 2>/dev/null || echo "write denied"
	echo hi >/mnt/pub/made && echo made
	chown 0:0 /mnt/pub/made 2>/dev/null || echo "chown denied"
	chmod 4755 /mnt/pub/made && echo "chmod of its own file"
	mknod /mnt/pub/rnd c 1 8 2>/dev/null || echo "mknod denied"
	(echo y >>/mnt/pub/rootfile) 2>/dev/null || echo "append denied"
	python3 -c "import os; os.fchown(os.open(\"/mnt/pub/made\", os.O_RDONLY), 0, 0)" \
		2>/dev/null || echo "fchown denied"
	python3 -c "import os; os.fchmod(os.open(\"/mnt/pub/rootfile\", os.O_RDONLY), 0o666)" \
		2>/dev/null || echo "fchmod denied"
	python3 -c "import os; os.setxattr(os.open(\"/mnt/pub/made\", os.O_RDONLY), \"trusted.k\", b\"1\")" \
		2>/dev/null || echo "trusted xattr denied"
	/mnt/pub/tool
	/mnt/pub/rootfile 2>/dev/null || echo "exec of a 0644 file denied"'
expect_status 0 $? "a non-root guest on a bind of kbox run as root"
for w in "uid 1000" "read denied" "write denied" made "chown denied" \
	"chmod of its own file" "mknod denied" "append denied" "fchown denied" \
	"fchmod denied" "trusted xattr denied" "tool ran as 1000" \
	"exec of a 0644 file denied"; do
	expect_grep "^$w\$" "$TMP/out" "$w"
done
check "the file it made is its own on the host" \
	[ "$(stat -c %u:%g "$b/pub/made")" = 1000:1000 ]
check "no device node was made" [ ! -e "$b/pub/rnd" ]
check "root's file is unchanged" \
	[ "$(cat "$b/pub/rootfile"):$(stat -c %a "$b/pub/rootfile")" = root:644 ]
done_test
