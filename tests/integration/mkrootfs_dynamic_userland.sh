#!/bin/bash
# /bin/bash in the default image is dynamically linked against the image's
# own libc, and the userland (bash, dash, coreutils, python3, busybox) runs
# from the extracted image.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
need_rootfs
img=$KBOX_ROOTFS
command -v readelf >/dev/null || skip "readelf not installed"

debugfs -R "dump /usr/bin/bash $TEST_TMP/bash" "$img" 2>/dev/null
[ -s "$TEST_TMP/bash" ] || fail "cannot extract /usr/bin/bash"
readelf -d "$TEST_TMP/bash" | grep -q 'NEEDED.*\[libc\.so\.6\]' ||
    fail "bash does not need libc.so.6"
interp=$(readelf -l "$TEST_TMP/bash" | sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p')
expect_eq interpreter "$interp" /lib64/ld-linux-x86-64.so.2

image_ls "$img" >"$TEST_TMP/ls"
grep -qxF "/usr/lib64/ld-linux-x86-64.so.2 120777 0 0 -> /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" "$TEST_TMP/ls" ||
    fail "no /lib64/ld-linux-x86-64.so.2 in the image"
grep -q "^/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 100755 " "$TEST_TMP/ls" ||
    fail "no dynamic loader in the image"

# Run the image's programs with the image's libraries: chroot into the
# extracted tree (as root, or in a user namespace).
root=$TEST_TMP/root
mkdir "$root"
debugfs -R "rdump / $root" "$img" >/dev/null 2>&1
run=()
chroot=$(command -v chroot || echo /usr/sbin/chroot)
if [ "$(id -u)" -eq 0 ]; then
    run=("$chroot" "$root")
elif unshare --map-root-user true 2>/dev/null; then
    run=(unshare --map-root-user "$chroot" "$root")
else
    echo "cannot chroot (not root, no user namespaces): static checks only"
    exit 0
fi
# shellcheck disable=SC2016 # expanded by the image's shell
out=$(env -i PATH=/usr/bin:/bin "${run[@]}" /bin/sh -c '
    echo "sh=$(readlink /bin/sh)"
    bash -c "echo bash=\${BASH_VERSINFO[0]}"
    ls /usr/bin/ls >/dev/null && echo ls=ok
    echo a-b | sed s/-/+/ | grep -c "a+b"
    python3 -c "import sys, os; print(\"py=%d.%d\" % sys.version_info[:2])"
    busybox echo bb=ok
    find /etc -name hostname
    echo 1 2 | awk "{print \$2}"
    /opt/kbox-tests/hello ok 2>/dev/null || true
')
echo "$out"
for want in sh=dash bash=5 ls=ok 1 py=3.11 bb=ok /etc/hostname 2; do
    grep -qx "$want" <<<"$out" || fail "userland check '$want' missing"
done
exit 0
