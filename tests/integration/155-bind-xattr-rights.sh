#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# xattrs of bind files under kbox run by root. A guest user's getxattr
# and listxattr by path ran with kbox's CAP_SYS_ADMIN: they read the
# trusted.* attributes of any file it could reach (Linux: ENODATA, left
# out of the list). And l*xattr on a symlink in a bind answered "none"
# for every name: guest root could not set or read trusted.* on the
# link itself, as it can natively.
. "$(dirname "$0")/lib/common.sh"
[ "$(id -u)" -eq 0 ] || skip "only when kbox runs as the host's root"
require
require_cmd python3
b=$TMP/b
mkdir -p "$b" && chmod 755 "$b"
echo data >"$b/f" && chmod 644 "$b/f"
ln -s f "$b/sl"
python3 -c 'import os, sys
os.setxattr(sys.argv[1], "trusted.secret", b"hidden")
os.setxattr(sys.argv[1], "user.plain", b"p")' "$b/f" ||
	skip "host filesystem of $TMP has no trusted/user xattrs"

helper='
import errno, os, sys
def err(f, *a, **k):
    try:
        r = f(*a, **k)
        return "ok" if r is None else r
    except OSError as e:
        return errno.errorcode[e.errno]
'
kbo "$TMP/user" --change-id 1000:1000 -R "$IMG" -b "$b:/mnt/b" -- \
	/usr/bin/python3 -c "$helper"'
print("get", err(os.getxattr, "/mnt/b/f", "trusted.secret"))
print("lget", err(os.getxattr, "/mnt/b/f", "trusted.secret", follow_symlinks=False))
print("list", ",".join(sorted(os.listxattr("/mnt/b/f"))))
print("user", err(os.getxattr, "/mnt/b/f", "user.plain"))'
expect_status 0 $? "xattr calls as uid 1000 in a bind"
expect_grep "^get ENODATA$" "$TMP/user" "trusted.* not readable by a user (ENODATA)"
expect_grep "^lget ENODATA$" "$TMP/user" "nor by lgetxattr"
expect_grep "^list user.plain$" "$TMP/user" "trusted.* left out of the list"
expect_grep "^user b'p'$" "$TMP/user" "user.* still readable"

kbo "$TMP/root" -0 -R "$IMG" -b "$b:/mnt/b" -- /usr/bin/python3 -c "$helper"'
l = "/mnt/b/sl"
print("lset", err(os.setxattr, l, "trusted.link", b"L", follow_symlinks=False))
print("lget", err(os.getxattr, l, "trusted.link", follow_symlinks=False))
print("llist", ",".join(sorted(os.listxattr(l, follow_symlinks=False))))
print("luser", err(os.setxattr, l, "user.x", b"u", follow_symlinks=False))
print("follow", err(os.getxattr, l, "trusted.secret"))'
expect_status 0 $? "xattr calls as root on a bind symlink"
expect_grep "^lset ok$" "$TMP/root" "lsetxattr trusted.* on the link"
expect_grep "^lget b'L'$" "$TMP/root" "lgetxattr reads it back"
expect_grep "^llist trusted.link$" "$TMP/root" "llistxattr lists it"
expect_grep "^luser EPERM$" "$TMP/root" "user.* on a link EPERM"
expect_grep "^follow b'hidden'$" "$TMP/root" "root reads trusted.* of the target"
v=$(python3 -c 'import os, sys
print(os.getxattr(sys.argv[1], "trusted.link", follow_symlinks=False).decode())' "$b/sl" 2>/dev/null)
if [ "$v" = L ]; then
	pass "the attribute is on the host link"
else
	fail "trusted.link not on the host link ($v)"
fi
done_test
