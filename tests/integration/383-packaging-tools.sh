#!/bin/bash
# SPDX-License-Identifier: MIT
# Building packages in the image, as a user and as root: fakeroot-sysv
# (libfakeroot talks to faked over System V message queues and a
# semaphore) and fakeroot-tcp, several sessions at once, fakeroot
# dpkg-deb --build, dpkg -i; faketime (LD_PRELOAD); localedef, locale-gen
# (which rewrites the mmapped locale-archive), iconv through gconv
# modules loaded with dlopen; dpkg-buildpackage -rfakeroot of a tiny
# package. Skipped when the packages cannot be fetched.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
need_kbox
cd "$TEST_TMP" || exit 1
if ! "$MKROOTFS" -q -o pk.ext4 --size 1G --packages "fakeroot faketime locales dpkg-dev make" \
    --kbox "$KBOX" >out 2>&1; then
    grep -qi -e "download" -e "cannot resolve packages" out &&
        skip "SKIP: 383-packaging-tools: packages could not be fetched: $(tail -n1 out)"
    cat out >&2
    fail "mkrootfs --packages \"fakeroot faketime locales dpkg-dev make\" failed"
fi
cat >user.sh <<'EOF'
set -e
cd /var/tmp && rm -rf w && mkdir w && cd w
for v in sysv tcp; do
    mkdir $v && cd $v
    fakeroot-$v sh -c 'touch f; chown 12:34 f; mknod n c 1 3; tar cf x.tar f n'
    echo "$v: $(tar tvf x.tar --numeric-owner | awk '{printf "%s %s %s;", $1, $2, $NF}')"
    echo "$v owner: $(stat -c %u:%g f)"
    cd ..
done
mk() {
    mkdir -p $1/DEBIAN $1/usr/share/$1
    printf 'Package: %s\nVersion: 1.0\nArchitecture: all\nMaintainer: t <t@e>\nDescription: tiny\n' \
        $1 >$1/DEBIAN/control
    echo data >$1/usr/share/$1/data
}
for i in 1 2 3; do
    mk tiny$i
    fakeroot sh -c "mknod tiny$i/usr/share/tiny$i/nul c 1 3 && dpkg-deb --build tiny$i >/dev/null" &
done
wait
for i in 1 2 3; do
    echo "tiny$i: $(dpkg-deb -c tiny$i.deb | awk '/nul$/ {print $1, $2}')"
done
echo "faketime: $(faketime '2020-01-01 00:00:00' date -u '+%F %H:%M')"
echo "FAKETIME touch: $(FAKETIME='@2019-05-05 05:05:05' \
    LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 sh -c 'date -u +%F')"
localedef -i de_DE -f UTF-8 ./de
echo "localedef: $(LOCPATH=$PWD LC_ALL=de date -u -d @0 +%A)"
echo "iconv: $(printf 'caf\351' | iconv -f latin1 -t utf8 | od -An -tx1 | tr -d ' ')"
echo "gconv: $(printf '\244\242' | iconv -f EUC-JP -t UTF-8 | od -An -tx1 | tr -d ' ')"
mkdir -p p-1.0/debian
cd p-1.0
printf 'Source: p\nMaintainer: t <t@e>\n\nPackage: p\nArchitecture: all\nDescription: tiny\n' >debian/control
printf 'p (1.0) unstable; urgency=low\n\n  * x\n\n -- t <t@e>  Mon, 07 Dec 2026 12:00:00 +0000\n' \
    >debian/changelog
printf '#!/usr/bin/make -f\nbuild build-arch build-indep:\nbinary binary-arch binary-indep:\n\tinstall -d debian/tmp/DEBIAN debian/tmp/usr/share/p\n\techo p >debian/tmp/usr/share/p/f\n\tchown -R 0:0 debian/tmp\n\tdpkg-gencontrol -pp\n\tdpkg-deb --build debian/tmp ..\nclean:\n\trm -rf debian/tmp debian/files\n' \
    >debian/rules
chmod 755 debian/rules
dpkg-buildpackage -d -b -us -uc -rfakeroot >../bp.log 2>&1 || { tail -20 ../bp.log; exit 1; }
cd ..
echo "buildpackage: $(dpkg-deb -c p_1.0_all.deb | awk '/f$/ {print $2, $NF}')"
EOF
out=$("$KBOX" -R pk.ext4 --change-id 1000:1000 -- /bin/sh -c "$(cat user.sh)" 2>&1) || {
    echo "$out" >&2
    fail "the user's packaging run failed"
}
want() { grep -qxF -- "$1" <<<"$out" || {
    echo "$out" >&2
    fail "want '$1'"
}; }
for v in sysv tcp; do
    want "$v: -rw-r--r-- 12/34 f;crw-r--r-- 0/0 n;"
    want "$v owner: 1000:1000"
done
for i in 1 2 3; do want "tiny$i: crw-r--r-- root/root"; done
want "faketime: 2020-01-01 00:00"
want "FAKETIME touch: 2019-05-05"
want "localedef: Donnerstag"
want "iconv: 636166c3a9"
want "gconv: e38182"
want "buildpackage: root/root ./usr/share/p/f"

# As root: install what the user built; locale-gen writes the archive.
# shellcheck disable=SC2016 # the guest's shell expands
out=$("$KBOX" -S pk.ext4 -- /bin/sh -c '
    export PATH=/usr/sbin:/usr/bin:/sbin:/bin
    dpkg -i /var/tmp/w/tiny1.deb >/dev/null && echo "installed: $(ls -l /usr/share/tiny1/nul | cut -c1)"
    dpkg -r tiny1 >/dev/null && [ ! -e /usr/share/tiny1 ] && echo removed
    sed -i "s/^# *de_DE.UTF-8/de_DE.UTF-8/; s/^# *fr_FR.UTF-8/fr_FR.UTF-8/" /etc/locale.gen
    locale-gen >/dev/null 2>&1 && echo "locales: $(locale -a | grep -c -e de_DE.utf8 -e fr_FR.utf8)"
    echo "de: $(LANG=de_DE.UTF-8 date -u -d @0 +%A)"
    localedef --delete-from-archive fr_FR.utf8 && echo "left: $(localedef --list-archive | tr "\n" " ")"
' 2>&1) || {
    echo "$out" >&2
    fail "root's run failed"
}
want "installed: c"
want "removed"
want "locales: 2"
want "de: Donnerstag"
want "left: de_DE.utf8 "
e2fsck_clean pk.ext4
echo "ok: fakeroot, faketime, locales, iconv, dpkg-deb, dpkg-buildpackage"
