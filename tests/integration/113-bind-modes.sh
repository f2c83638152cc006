#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Modes and rights in a bind: chmod of the bind's own root (it was
# EINVAL: kbox chmod'ed by parent and name); a default ACL on the parent
# decides a new file's mode instead of the umask, as POSIX says (kbox
# applied the umask itself); access() of a guest user checks the guest's
# ids (kbox run by root answered as root: `test -r` of a mode 000 file
# was true).
. "$(dirname "$0")/lib/common.sh"
require
require_cmd python3
img=$(own_img)
b=$TMP/bind
mkdir -p "$b/acl"
chmod 755 "$b"
# a default ACL u::rwx g::rwx o::rwx on $b/acl (no setfacl needed)
python3 -c '
import os, struct, sys
e = lambda tag, perm: struct.pack("<HHI", tag, perm, 0xffffffff)
os.setxattr(sys.argv[1], "system.posix_acl_default",
            struct.pack("<I", 2) + e(1, 7) + e(4, 7) + e(0x20, 7))' "$b/acl" ||
	fail "cannot set a default ACL on the host"
kbo "$TMP/bm.out" -S "$img" -b "$b:/mnt" -- /bin/sh -c '
	chmod 750 /mnt && echo "root chmod $(stat -c %a /mnt)"
	cd /mnt && chmod 711 . && echo "dot chmod $(stat -c %a .)"
	umask 022; touch /mnt/acl/f; mkdir /mnt/acl/d; touch /mnt/plain
	echo "acl file $(stat -c %a /mnt/acl/f) dir $(stat -c %a /mnt/acl/d)"
	echo "plain $(stat -c %a /mnt/plain)"'
expect_status 0 $? "chmod and creates in a bind"
expect_grep '^root chmod 750$' "$TMP/bm.out" "chmod of the bind's root"
expect_grep '^dot chmod 711$' "$TMP/bm.out" "chmod of . at the bind's root"
expect_grep '^acl file 666 dir 777$' "$TMP/bm.out" "a default ACL decides, not the umask"
expect_grep '^plain 644$' "$TMP/bm.out" "without one the umask applies"
chmod 755 "$b"
echo secret >"$b/none" && chmod 000 "$b/none" && chown 1000:1000 "$b/none" "$b"
kbo "$TMP/ac.out" --change-id 1000:1000 -R "$img" -b "$b:/mnt" -- /bin/sh -c '
	test -r /mnt/none && echo "readable" || echo "not readable"
	test -w /mnt/none && echo "writable" || echo "not writable"
	test -e /mnt/none && echo "exists"'
expect_grep '^not readable$' "$TMP/ac.out" "access(R_OK) of a mode 000 file for a guest user"
expect_grep '^not writable$' "$TMP/ac.out" "access(W_OK) likewise"
expect_grep '^exists$' "$TMP/ac.out" "access(F_OK) still finds it"
done_test
