#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A write to a set-ID file in a bind clears its bits under a root kbox,
# as Linux's file_remove_privs does for a writer without CAP_FSETID
# (setattr_should_drop_suidgid: set-user-ID always, set-group-ID with
# group-execute or for a writer outside the file's group): write,
# pwrite, writev, ftruncate, fallocate, sendfile and splice between host
# fds, sendfile from an image file into a bind file (kbox writes it).
# A guest root that dropped to a user runs its host calls with root's
# CAP_FSETID, so every such write kept the bits of another user's
# writable set-user-ID file (other-writable here, so no groups are needed) (whose bit then gave that owner's ids
# in lx); and kbox's own copy from the image kept them even for a guest
# that started as a user. An empty write, a write on a read-only fd and
# a guest root's write keep them, as natively; chown by the owner clears
# them (chown_common: ATTR_KILL_SUID for any non-directory). On an
# append-only file the clearing fails, and so does the write (EPERM, as
# ext4_setattr refuses the mode change).
# shellcheck disable=SC2016 # expanded by the guest
. "$(dirname "$0")/lib/common.sh"
require
[ "$(id -u)" -eq 0 ] || skip "needs a root kbox (other users' set-ID files)"
img=$(own_img)
b=$TMP/bind
mkdir -p "$b" && chmod 777 "$b" && chmod 755 "$TMP"
mk() { # mk NAME MODE [OWNER]
	printf 'hello\n' >"$b/$1" && chown "${3:-2000:3000}" "$b/$1" && chmod "$2" "$b/$1"
}
mk w 6777
mk pw 4777
mk wv 2777
mk tr 4777
mk fa 4777
mk sfh 4777
mk sp 4777
mk sf 4777
mk nx 2767
mk nxg 2767 2000:1000
mk zero 4777
mk ro 4777
mk root 4777
mk own 6755 1000:1000
mk u1 4777
mk u2 4777
mk ap 4777
trap 'chattr -a "$b/ap" 2>/dev/null; cleanup' EXIT
# ext4's answer (ext4_setattr); other file systems may differ
ap=0
[ "$(stat -f -c %T "$b")" = ext2/ext3 ] && chattr +a "$b/ap" 2>/dev/null && ap=1

kbo "$TMP/out" -S "$img" -b "$b:/mnt/b" -- python3 -c '
import os, stat
d = "/mnt/b"
def o(n, fl=os.O_WRONLY):
    return os.open(d + "/" + n, fl)
os.write(o("root"), b"x")  # root keeps them (CAP_FSETID)
os.setgroups([]); os.setresgid(1000, 1000, 1000); os.setresuid(1000, 1000, 1000)
os.write(o("w"), b"x")
os.pwrite(o("pw"), b"x", 2)
os.writev(o("wv"), [b"", b"x"])
os.ftruncate(o("tr"), 6)
os.posix_fallocate(o("fa"), 0, 100)
os.sendfile(o("sfh"), o("u1", os.O_RDONLY), 0, 3)
r, w = os.pipe(); os.write(w, b"abc"); os.splice(r, o("sp"), 3)
os.sendfile(o("sf"), os.open("/etc/hostname", os.O_RDONLY), 0, 3)
os.write(o("nx"), b"x")
os.write(o("nxg"), b"x")
os.write(o("zero"), b"")
try:
    os.write(o("ro", os.O_RDONLY), b"x")
except OSError:
    pass
os.chown(d + "/own", -1, -1)
try:
    os.write(o("ap", os.O_WRONLY | os.O_APPEND), b"x")
    print("append: ok")
except OSError as e:
    print("append:", e.strerror)
for n in ["root", "w", "pw", "wv", "tr", "fa", "sfh", "sp", "sf", "nx",
          "nxg", "zero", "ro", "own", "ap"]:
    print(n, oct(stat.S_IMODE(os.stat(d + "/" + n).st_mode)))'
expect_status 0 $? "writes of a guest root that dropped to uid 1000"
want() { # want NAME MODE WHAT
	expect_grep "^$1 $2\$" "$TMP/out" "$3"
}
want root 0o4777 "a guest root's write keeps set-user-ID"
want w 0o777 "write clears set-user-ID and set-group-ID (group-exec)"
want pw 0o777 "pwrite clears set-user-ID"
want wv 0o777 "writev clears set-group-ID (group-exec)"
want tr 0o777 "ftruncate clears set-user-ID"
want fa 0o777 "fallocate clears set-user-ID"
want sfh 0o777 "sendfile between bind files clears set-user-ID"
want sp 0o777 "splice from a pipe clears set-user-ID"
want sf 0o777 "sendfile from an image file clears set-user-ID"
want nx 0o767 "set-group-ID without group-exec: cleared for a non-member"
want nxg 0o2767 "and kept for a member of the file's group"
want zero 0o4777 "an empty write keeps set-user-ID"
want ro 0o4777 "a write on a read-only fd keeps set-user-ID"
want own 0o755 "chown by the owner clears both"
if [ "$ap" = 1 ]; then
	expect_grep '^append: Operation not permitted$' "$TMP/out" "a write to an append-only set-user-ID file: EPERM"
	want ap 0o4777 "and the bit stays"
fi
chattr -a "$b/ap" 2>/dev/null

# a guest that starts as a user: the host clears them at its own writes,
# kbox's copy from the image must too
kbo "$TMP/user" -R "$img" --change-id 1000 -b "$b:/mnt/b" -- python3 -c '
import os, stat
os.write(os.open("/mnt/b/u1", os.O_WRONLY), b"x")
os.sendfile(os.open("/mnt/b/u2", os.O_WRONLY),
            os.open("/etc/hostname", os.O_RDONLY), 0, 3)
for n in ["u1", "u2"]:
    print(n, oct(stat.S_IMODE(os.stat("/mnt/b/" + n).st_mode)))'
expect_status 0 $? "writes of a --change-id user"
expect_grep '^u1 0o777$' "$TMP/user" "its write clears set-user-ID"
expect_grep '^u2 0o777$' "$TMP/user" "its sendfile from an image file too"
done_test
