#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# security.capability values that are no v2/v3 capability are EINVAL, as
# on the host's kernel. In a bind, for a guest that is not root under
# kbox run by the host's root, kbox said EPERM for any value (the kernel
# checks the value first, cap_convert_nscap). In the image and lx's tmpfs
# an empty value was stored (Linux 6.12 skips the check for size 0), by
# a guest user too and on root's files (/bin/ls). A valid value stays
# EPERM for a user, as does removing one. Found by xattr-fuzz.
. "$(dirname "$0")/lib/common.sh"
require
require_cmd python3
[ "$(id -u)" -eq 0 ] || skip "only when kbox runs as the host's root"
b=$TMP/bind
mkdir -p "$b"
chmod 777 "$b"
: >"$b/rootfile"
chmod 644 "$b/rootfile"
prog=$PY_ERR'
v2 = bytes.fromhex("0000000200040000000000000000000000000000")
for d in sys.argv[1:]:
    f = d + "/mine"
    open(f, "w").close()
    for n, fn in (("own", f), ("root", "/mnt/x/rootfile")):
        print(d, n, "empty", err(os.setxattr, fn, "security.capability", b""))
        print(d, n, "short", err(os.setxattr, fn, "security.capability", b"1234567"))
        print(d, n, "v1", err(os.setxattr, fn, "security.capability", v2[:12]))
        print(d, n, "v2", err(os.setxattr, fn, "security.capability", v2))
        print(d, n, "remove", err(os.removexattr, fn, "security.capability"))
        print(d, n, "other", err(os.setxattr, fn, "security.k", b"v"))
    os.unlink(f)
'
kbo "$TMP/out" --change-id 1000:1000 -R "$IMG" -b "$b:/mnt/x" -- \
	/usr/bin/python3 -c "$prog" /var/tmp /tmp /mnt/x
expect_status 0 $? "security.capability as uid 1000"
for d in /var/tmp /tmp /mnt/x; do
	for n in own root; do
		for w in "empty EINVAL" "short EINVAL" "v1 EINVAL" "v2 EPERM" \
			"remove EPERM" "other EPERM"; do
			expect_grep "^$d $n $w\$" "$TMP/out" "$d $n $w"
		done
	done
done

# the image's own files, as a user and as root; a missing file is ENOENT
kbo "$TMP/lx" --change-id 1000:1000 -R "$IMG" -- /usr/bin/python3 -c '
import errno, os
try:
    os.setxattr("/bin/ls", "security.capability", b"")
    print("ls ok")
except OSError as e:
    print("ls", errno.errorcode[e.errno])
print("list", os.listxattr("/bin/ls"))'
expect_grep "^ls EINVAL$" "$TMP/lx" "empty security.capability on /bin/ls as uid 1000"
expect_grep "^list \[\]$" "$TMP/lx" "/bin/ls keeps no security.capability"
kbo "$TMP/lxr" -S "$IMG" -- /usr/bin/python3 -c "$PY_ERR"'
open("/var/tmp/rf", "w").close()
print("root", err(os.setxattr, "/var/tmp/rf", "security.capability", b""))
print("rootfd", err(os.setxattr, os.open("/var/tmp/rf", os.O_RDONLY), "security.capability", b""))
print("missing", err(os.setxattr, "/var/tmp/nope", "security.capability", b""))
v2 = bytes.fromhex("0000000200040000000000000000000000000000")
print("valid", err(os.setxattr, "/var/tmp/rf", "security.capability", v2))'
for w in "root EINVAL" "rootfd EINVAL" "missing ENOENT" "valid ok"; do
	expect_grep "^$w\$" "$TMP/lxr" "guest root: $w"
done
done_test
