#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# fgetxattr and flistxattr on an fd of a bind file, by a guest that is not
# root under kbox run by the host's root, are checked as the guest: the
# host answered them as kbox's root, so reading an xattr of a file whose
# mode no longer allows reading succeeded (natively EACCES, as an xattr
# read checks the inode, not the fd), and flistxattr listed trusted.*
# names (natively only CAP_SYS_ADMIN sees them). Found by xattr-fuzz.
. "$(dirname "$0")/lib/common.sh"
require
require_cmd python3
[ "$(id -u)" -eq 0 ] || skip "only when kbox runs as the host's root"
b=$TMP/bind
mkdir -p "$b"
chmod 777 "$b"
: >"$b/rootfile"
chmod 644 "$b/rootfile"
python3 -c 'import os, sys
os.setxattr(sys.argv[1], "user.u", b"uv")
os.setxattr(sys.argv[1], "trusted.t", b"tv")' "$b/rootfile" ||
	skip "host filesystem without trusted.* xattrs"
prog='
import errno, os
def err(f, *a):
    try:
        r = f(*a)
        return "ok " + (",".join(sorted(r)) if isinstance(r, list) else str(len(r)))
    except OSError as e:
        return errno.errorcode[e.errno]
open("/mnt/x/mine", "w").close()
fd = os.open("/mnt/x/mine", os.O_RDONLY)
os.setxattr(fd, "user.m", b"1")
os.chmod("/mnt/x/mine", 0)
print("fget-unreadable", err(os.getxattr, fd, "user.m"))
print("get-unreadable", err(os.getxattr, "/mnt/x/mine", "user.m"))
rfd = os.open("/mnt/x/rootfile", os.O_RDONLY)
print("flist-root", err(os.listxattr, rfd))
print("list-root", err(os.listxattr, "/mnt/x/rootfile"))
print("fget-trusted", err(os.getxattr, rfd, "trusted.t"))
print("fget-user", err(os.getxattr, rfd, "user.u"))
'
kbo "$TMP/out" --change-id 1000:1000 -R "$IMG" -b "$b:/mnt/x" -- \
	/usr/bin/python3 -c "$prog"
expect_status 0 $? "xattr reads on bind fds as uid 1000"
for want in "fget-unreadable EACCES" "get-unreadable EACCES" \
	"flist-root ok user.u" "list-root ok user.u" "fget-trusted ENODATA" \
	"fget-user ok 2"; do
	expect_grep "^$want\$" "$TMP/out" "$want"
done

# a guest root that became uid 1000 keeps none of root's rights either
kbo "$TMP/out2" -S "$IMG" -b "$b:/mnt/x" -- /usr/bin/python3 -c '
import errno, os
fd = os.open("/mnt/x/rootfile", os.O_RDONLY)
os.setgroups([])
os.setgid(1000)
os.setuid(1000)
print("flist", ",".join(sorted(os.listxattr(fd))))
try:
    os.getxattr(fd, "trusted.t")
    print("fget-trusted ok")
except OSError as e:
    print("fget-trusted", errno.errorcode[e.errno])'
expect_status 0 $? "xattr reads on a bind fd after setuid(1000)"
expect_grep "^flist user.u$" "$TMP/out2" "flistxattr hides trusted.* after setuid"
expect_grep "^fget-trusted ENODATA$" "$TMP/out2" "trusted.* unreadable after setuid"
done_test
