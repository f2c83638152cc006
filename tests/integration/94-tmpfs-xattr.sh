#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# /tmp (lx's tmpfs) keeps extended attributes and POSIX ACLs, as tmpfs
# does: they were EOPNOTSUPP, so `mv` into /tmp dropped a file's xattrs
# and `cp -a` its ACLs. The umask still applies to files made there (with
# ACLs on, the filesystem applies it), and /dev nodes keep their modes.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
kbo "$TMP/out" -S "$img" -- /bin/sh -c '
	echo data >/root/x
	python3 -c "import os; os.setxattr(\"/root/x\", \"user.k\", b\"v1\")"
	mv /root/x /tmp/x
	python3 -c "
import os, struct
print(\"moved\", os.getxattr(\"/tmp/x\", \"user.k\").decode())
os.setxattr(\"/tmp/x\", \"trusted.t\", b\"2\")
print(\"list\", sorted(os.listxattr(\"/tmp/x\")))
os.removexattr(\"/tmp/x\", \"user.k\")
print(\"removed\", os.listxattr(\"/tmp/x\"))
# an access ACL: user::rwx user:1000:r-x group::r-- mask::r-x other::---
acl = struct.pack(\"<I\", 2) + b\"\".join(struct.pack(\"<HHI\", t, p, i) for t, p, i in
      [(1, 7, 0xffffffff), (2, 5, 1000), (4, 4, 0xffffffff), (16, 5, 0xffffffff), (32, 0, 0xffffffff)])
os.setxattr(\"/tmp/x\", \"system.posix_acl_access\", acl)
print(\"acl mode %o\" % (os.stat(\"/tmp/x\").st_mode & 0o777))
print(\"acl back\", os.getxattr(\"/tmp/x\", \"system.posix_acl_access\") == acl)
"
	umask 027; touch /tmp/u; mkdir /tmp/ud
	echo "umask $(stat -c %a /tmp/u) $(stat -c %a /tmp/ud)"
	echo "null $(stat -c %a /dev/null)"'
expect_status 0 $? "xattrs and ACLs on /tmp"
expect_grep '^moved v1$' "$TMP/out" "mv into /tmp keeps a user xattr"
expect_grep "^list \['trusted.t', 'user.k'\]$" "$TMP/out" "trusted and user xattrs are listed"
expect_grep "^removed \['trusted.t'\]$" "$TMP/out" "and removed"
expect_grep '^acl mode 750$' "$TMP/out" "an access ACL sets the mode (mask as group bits)"
expect_grep '^acl back True$' "$TMP/out" "and reads back"
expect_grep '^umask 640 750$' "$TMP/out" "the umask applies to new files and dirs"
expect_grep '^null 666$' "$TMP/out" "/dev/null keeps its mode"
done_test
