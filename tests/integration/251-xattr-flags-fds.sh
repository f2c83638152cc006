#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# setxattr's flags are checked first, as the kernel does: flags other than
# XATTR_CREATE/XATTR_REPLACE gave ERANGE for a bad name, ENOENT for a
# missing file or EPERM for security.* in a bind (natively EINVAL). And
# kbox's copy of a bind fd for a guest user's f*xattr call was left open
# when the name or value was refused (one kbox fd leaked per call; once
# kbox ran out, the call fell back to the host's as root). Found by
# xattr-fuzz.
. "$(dirname "$0")/lib/common.sh"
require
require_cmd python3
b=$TMP/bind
mkdir -p "$b"
chmod 777 "$b"
: >"$b/f"
chmod 666 "$b/f"
prog=$PY_ERR'
for d in sys.argv[1:]:
    f = d + "/xf"
    open(f, "w").close()
    fd = os.open(f, os.O_RDONLY)
    print(d, "missing", err(os.setxattr, d + "/nope", "user.a", b"v", 4))
    print(d, "emptyname", err(os.setxattr, f, "", b"v", 5))
    print(d, "longname", err(os.setxattr, f, "user." + "n" * 300, b"v", 8))
    print(d, "security", err(os.setxattr, f, "security.k", b"v", 4))
    print(d, "fd", err(os.setxattr, fd, "", b"v", 4))
    print(d, "good", err(os.setxattr, f, "user.a", b"v", os.XATTR_CREATE))
    os.close(fd)
    os.unlink(f)
'
dirs="/var/tmp /tmp"
[ "$(id -u)" -eq 0 ] && dirs="$dirs /mnt/x"
for ids in "-S" "--change-id 1000:1000 -R"; do
	# shellcheck disable=SC2086 # ids is a word list
	kbo "$TMP/out" $ids "$IMG" -b "$b:/mnt/x" -- /usr/bin/python3 -c "$prog" $dirs
	expect_status 0 $? "setxattr with bad flags [$ids]"
	for d in $dirs; do
		for w in missing emptyname longname security fd; do
			expect_grep "^$d $w EINVAL\$" "$TMP/out" "$d $w: EINVAL [$ids]"
		done
		expect_grep "^$d good ok\$" "$TMP/out" "$d good flags [$ids]"
	done
done

[ "$(id -u)" -eq 0 ] || done_test
# refused fsetxattr calls on a bind fd leave no fd open in kbox
rm -f "$b/marker"
"$KBOX" --change-id 1000:1000 -R "$IMG" -b "$b:/mnt/x" -- /usr/bin/python3 -c '
import os, time
fd = os.open("/mnt/x/f", os.O_RDWR)
for i in range(3000):
    for n in ("", "user." + "n" * 300):
        try:
            os.setxattr(fd, n, b"v")
        except OSError:
            pass
open("/mnt/x/marker", "w").close()
time.sleep(3)' >"$TMP/leak" 2>&1 </dev/null &
kpid=$!
for _ in $(seq 100); do
	[ -e "$b/marker" ] && break
	sleep 0.1
done
nfd=$(find /proc/$kpid/fd -mindepth 1 2>/dev/null | wc -l)
wait $kpid
expect_status 0 $? "6000 refused fsetxattr calls"
if [ "$nfd" -lt 500 ]; then
	pass "kbox holds $nfd fds after them"
else
	fail "kbox holds $nfd fds after 6000 refused fsetxattr calls"
fi

# with few fds kbox ran out, and the call was then the host's, as root: a
# guest root turned uid 1000 set trusted.* on a file of the bind
esc='
import errno, os
fd = os.open("/mnt/x/f", os.O_RDWR)
os.setgroups([])
os.setgid(1000)
os.setuid(1000)
for i in range(400):
    try:
        os.setxattr(fd, "", b"v")
    except OSError:
        pass
try:
    os.setxattr(fd, "trusted.esc", b"1")
    print("trusted set")
except OSError as e:
    print("trusted", errno.errorcode[e.errno])'
(
	ulimit -n 256
	kbo "$TMP/esc" -S "$IMG" -b "$b:/mnt/x" -- /usr/bin/python3 -c "$esc"
)
expect_status 0 $? "refused calls, then trusted.* as uid 1000, kbox with 256 fds"
expect_grep "^trusted EPERM$" "$TMP/esc" "trusted.* refused to uid 1000 (EPERM)"
done_test
