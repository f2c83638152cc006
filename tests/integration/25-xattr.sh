#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Extended attributes on image files are the kernel's own ext4 xattrs:
# set/get/list/remove by path and by fd, the kernel's errors (ENODATA,
# E2BIG, ERANGE, EPERM for trusted.* as a user, EACCES on another user's
# file), persisted in the image (debugfs ea_list); inside a bind they are
# the host file's.
. "$(dirname "$0")/lib/common.sh"
require
require_cmd debugfs python3

prog=$PY_ERR'
f = sys.argv[1]
open(f, "w").write("data")
os.setxattr(f, "user.kbox", b"v1")
print("get", os.getxattr(f, "user.kbox").decode())
fd = os.open(f, os.O_RDONLY)
os.setxattr(fd, "user.fd", b"x" * 3000)
print("fdget", len(os.getxattr(fd, "user.fd")))
print("list", ",".join(sorted(os.listxattr(f))))
os.removexattr(fd, "user.fd")
print("removed", err(os.getxattr, f, "user.fd"))
print("create-exists", err(os.setxattr, f, "user.kbox", b"v2", os.XATTR_CREATE))
print("replace-missing", err(os.setxattr, f, "user.none", b"v", os.XATTR_REPLACE))
print("big", err(os.setxattr, f, "user.big", b"x" * 70000))
print("longname", err(os.setxattr, f, "user." + "n" * 300, b"v"))
print("missing", err(os.getxattr, "/no/such/file", "user.a"))
'
kbo "$TMP/out" -0 -r "$IMG" -- /usr/bin/python3 -c "$prog" /root/xa
expect_status 0 $? "xattr calls as root"
for want in "get v1" "fdget 3000" "list user.fd,user.kbox" "removed ENODATA" \
	"create-exists EEXIST" "replace-missing ENODATA" "big E2BIG" \
	"longname ERANGE" "missing ENOENT"; do
	expect_grep "^$want\$" "$TMP/out" "$want"
done
debugfs -R "ea_list /root/xa" "$IMG" >"$TMP/ea" 2>/dev/null
expect_grep 'user\.kbox.*v1' "$TMP/ea" "user.kbox persisted in the image"
expect_no_grep 'user\.fd' "$TMP/ea" "removed attribute gone from the image"

# as a normal user: the kernel's permission checks
kbo "$TMP/user" --change-id 1000:1000 -r "$IMG" -- /usr/bin/python3 -c "$PY_ERR"'
open("/tmp/u", "w").close()
print("trusted", err(os.setxattr, "/tmp/u", "trusted.t", b"v"))
print("other", err(os.setxattr, "/etc/hostname", "user.x", b"v"))
print("own", err(os.setxattr, "/tmp/u", "user.mine", b"v"))'
expect_status 0 $? "xattr calls as uid 1000"
expect_grep '^trusted EPERM$' "$TMP/user" "trusted.* refused to a user (EPERM)"
expect_grep '^other EACCES$' "$TMP/user" "another user's file refused (EACCES)"
expect_grep '^own ok$' "$TMP/user" "user.* on one's own file"

# a bind: the host file's attributes
share=$TMP/share
mkdir -p "$share" && echo h >"$share/f"
hx() { python3 -c 'import os, sys; print(os.getxattr(sys.argv[1], sys.argv[2]).decode())' "$@" 2>/dev/null; }
if python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.probe", b"1")' "$share/f" 2>/dev/null; then
	kbo "$TMP/bind" -0 -r "$IMG" -b "$share:/mnt" -- /usr/bin/python3 -c '
import os
os.setxattr("/mnt/f", "user.guest", b"g")
print("host", os.getxattr("/mnt/f", "user.probe").decode())'
	expect_status 0 $? "xattr calls in a bind"
	expect_grep '^host 1$' "$TMP/bind" "host attribute read through the bind"
	[ "$(hx "$share/f" user.guest)" = g ] &&
		pass "guest attribute landed on the host file" ||
		fail "user.guest not on the host file"
else
	pass "host filesystem of $TMP has no user xattrs: bind part skipped"
fi
done_test
