#!/bin/bash
# The default image (make rootfs): clean ext4, Debian, /etc basics, owners,
# usrmerge layout, configured packages, guest tests under /opt/kbox-tests.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
need_rootfs
img=$KBOX_ROOTFS

e2fsck_clean "$img"
image_cat "$img" /etc/os-release | grep -q '^NAME="Debian GNU/Linux"' ||
    fail "/etc/os-release does not say Debian"
expect_eq hostname "$(image_cat "$img" /etc/hostname)" kbox
image_cat "$img" /etc/passwd | grep -qx 'root:x:0:0:root:/root:/bin/bash' || fail "no root in passwd"
image_cat "$img" /etc/passwd | grep -q '^user:x:1000:1000:[^:]*:/home/user:/bin/bash$' ||
    fail "no unprivileged user in passwd"
image_cat "$img" /etc/group | grep -qx 'user:x:1000:' || fail "no group user"
image_cat "$img" /etc/group | grep -q '^root:x:0:' || fail "no group root"

image_ls "$img" >"$TEST_TMP/ls"
has() { grep -qxF -- "$1" "$TEST_TMP/ls" || fail "image lacks '$1'"; }
has "/bin 120777 0 0 -> usr/bin"
has "/sbin 120777 0 0 -> usr/sbin"
has "/lib 120777 0 0 -> usr/lib"
has "/lib64 120777 0 0 -> usr/lib64"
has "/usr/bin/sh 120777 0 0 -> dash"
has "/tmp 41777 0 0"
has "/var/tmp 41777 0 0"
has "/root 40700 0 0"
has "/home/user 40755 1000 1000"
# base-files' postinst makes the /usr/local hierarchy
has "/usr/local/bin 40755 0 0"
has "/usr/local/man 120777 0 0 -> share/man"
grep -q "^/etc/shadow 100640 0 42 " "$TEST_TMP/ls" || fail "/etc/shadow not 0640 root:shadow"
for d in /proc /sys /dev /run /mnt /opt/kbox-tests; do
    grep -q "^$d 40755 0 0\$" "$TEST_TMP/ls" || fail "no directory $d"
done
for f in /usr/bin/bash /usr/bin/dash /usr/bin/ls /usr/bin/grep /usr/bin/sed \
    /usr/bin/find /usr/bin/tar /usr/bin/gzip /usr/bin/busybox /usr/bin/python3.11 \
    /usr/lib/x86_64-linux-gnu/libc.so.6; do
    grep -q "^$f 100755 0 0 \|^$f 100644 0 0 " "$TEST_TMP/ls" || fail "no file $f"
done
# the guest programs built by make guest-tests
for g in "$KBOX_ROOT"/build/guest/*; do
    [ -f "$g" ] || continue
    grep -q "^/opt/kbox-tests/$(basename "$g") 100755 0 0 size=$(stat -c %s "$g")\$" "$TEST_TMP/ls" ||
        fail "/opt/kbox-tests/$(basename "$g") missing or different"
done
# base-files' postinst (the packages are configured in the image)
has "/var/mail 42775 0 8"
has "/var/lock 120777 0 0 -> /run/lock"
has "/run/lock 41777 0 0"
grep -q "^/var/log/wtmp 100664 0 43 " "$TEST_TMP/ls" || fail "/var/log/wtmp not 0664 root:utmp"
# everything is root-owned but the user's home and Debian's own exceptions
# (/etc/shadow: group shadow; base-files' utmp logs)
bad=$(awk '($3 != 0 || $4 != 0) && $1 != "/home/user" && $1 != "/etc/shadow" && $1 != "/var/local" && $1 != "/var/mail" &&
    $1 !~ /^\/var\/log\/(wtmp|btmp|lastlog)$/' "$TEST_TMP/ls")
[ -z "$bad" ] || fail "files not owned by root: $bad"
exit 0
