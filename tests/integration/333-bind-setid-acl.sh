#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A set-ID program in a bind that a guest user may execute only through
# a POSIX ACL entry gives its ids under a root kbox, as natively. lx
# prepares exec's credentials from a stand-in of the host file
# (src/exec/hostcred.c) and re-checks the exec permission there
# (bprm_fill_uid's inode_permission): the stand-in had the mode alone,
# so "other" had no execute and the program ran without its ids while
# the host's check, with the ACL, let the exec run. The access ACL is
# copied onto the stand-in now (lx's tmpfs keeps ACLs).
# shellcheck disable=SC2016 # expanded by the guest shell
. "$(dirname "$0")/lib/common.sh"
require
setid_bind_setup
cp "$T" "$b/aclu" && chown 0:0 "$b/aclu" && chmod 4750 "$b/aclu"
cp "$T" "$b/aclg" && chown 0:50 "$b/aclg" && chmod 2750 "$b/aclg"
# user:1000:r-x on aclu, group:1000:r-x on aclg (mask r-x, other ---),
# in the xattr's form (setfacl may be missing)
python3 -c '
import os, struct, sys
U = 0xffffffff
def acl(tag, who):
    e = [(1, 7, U), (tag, 5, who), (4, 5, U), (0x10, 5, U), (0x20, 0, U)]
    return struct.pack("<I", 2) + b"".join(struct.pack("<HHI", *x)
                                           for x in sorted(e))
os.setxattr(sys.argv[1], "system.posix_acl_access", acl(2, 1000))
os.setxattr(sys.argv[2], "system.posix_acl_access", acl(8, 1000))' \
	"$b/aclu" "$b/aclg" 2>/dev/null || skip "no POSIX ACLs on $TMP's file system"

kbo "$TMP/out" -R "$img" --change-id 1000:1000 -b "$b:/mnt/b" -- /bin/sh -c '
	echo aclu: $(/mnt/b/aclu ids)
	echo aclg: $(/mnt/b/aclg ids)'
expect_status 0 $? "set-ID programs reached through ACL entries"
expect_grep '^aclu: uid 1000 0 0 gid 1000 1000 1000 ' "$TMP/out" "a named user entry: set-user-ID root applies"
expect_grep '^aclg: uid 1000 1000 1000 gid 1000 50 50 ' "$TMP/out" "a named group entry: set-group-ID applies"

# someone the ACL leaves out may not run it at all (the host's check)
kbo "$TMP/other" -S "$img" -b "$b:/mnt/b" -- python3 -c '
import os
os.setgroups([]); os.setresgid(1001, 1001, 1001); os.setresuid(1001, 1001, 1001)
try:
    os.execv("/mnt/b/aclu", ["aclu", "ids"])
except OSError as e:
    print("other:", e.strerror)'
expect_grep '^other: Permission denied$' "$TMP/other" "uid 1001 may not execute it"
done_test
