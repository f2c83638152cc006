#!/bin/bash
# SPDX-License-Identifier: MIT
# mkrootfs --packages configures the packages as apt would on Debian: they
# are recorded unpacked, their preinsts and then dpkg --configure -a run in
# the image under kbox (noninteractive debconf, a policy-rc.d that refuses
# service starts), on top of Debian's Essential set and base-passwd's users.
# Before, no maintainer script ran: no man user, crontab not set-group-ID
# crontab, /etc/sudoers 0644, no /etc/ca-certificates.conf.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
need_kbox
cd "$TEST_TMP" || exit 1
if ! "$MKROOTFS" -q -o pk.ext4 --size 768M --packages "cron sudo man-db ca-certificates" \
    --kbox "$KBOX" >out 2>&1; then
    cat out >&2
    fail "mkrootfs --packages \"cron sudo man-db ca-certificates\" failed"
fi
e2fsck_clean pk.ext4
# shellcheck disable=SC2016 # expanded by the guest's shell
"$KBOX" -S pk.ext4 -- /bin/sh -c '
    export PATH=/usr/sbin:/usr/bin:/sbin:/bin
    echo "man=$(getent passwd man | cut -d: -f1,3,4)"
    echo "crontab=$(stat -c "%a %U:%G" /usr/bin/crontab)"
    echo "spool=$(stat -c "%a %U:%G" /var/spool/cron/crontabs)"
    echo "sudoers=$(stat -c "%a %U:%G" /etc/sudoers)"
    [ -s /etc/ca-certificates.conf ] && echo "cacerts-conf=yes"
    echo "bundle=$(grep -c "BEGIN CERTIFICATE" /etc/ssl/certs/ca-certificates.crt)"
    [ -f /etc/gshadow ] && echo "gshadow=yes"
    [ -e /usr/sbin/policy-rc.d ] || echo "policy-rc.d=gone"
    grep -q pam_unix.so /etc/pam.d/common-auth && echo "pam=yes"
    for p in cron sudo man-db ca-certificates base-passwd passwd; do
        echo "status $p=$(dpkg-query -W -f="\${Status}" "$p")"
    done
    echo "audit=[$(dpkg --audit 2>&1)]"
    echo "unconfigured=$(dpkg-query -W -f="\${db:Status-Abbrev}\n" | grep -vc "^ii")"
' >got 2>&1 || {
    cat got >&2
    fail "inspecting the image"
}
check() { grep -qxF -- "$1" got || {
    cat got >&2
    fail "want '$1'"
}; }
check "man=man:6:12"
check "crontab=2755 root:crontab"
check "spool=1730 root:crontab"
check "sudoers=440 root:root"
check "cacerts-conf=yes"
grep -Eq '^bundle=[1-9][0-9]+$' got || fail "empty CA bundle: $(grep bundle= got)"
check "gshadow=yes"
check "policy-rc.d=gone"
check "pam=yes"
for p in cron sudo man-db ca-certificates base-passwd passwd; do
    check "status $p=install ok installed"
done
check "audit=[]"
check "unconfigured=0"
# The set-group-ID crontab works for the user (writes the root:crontab
# 1730 spool), and root's sudo finds its PAM stack and sudoers.
out=$("$KBOX" -R pk.ext4 --change-id user -- /bin/sh -c \
    'echo "0 1 * * * true" | crontab - && crontab -l' 2>&1)
expect_eq "crontab as user" "$out" "0 1 * * * true"
out=$("$KBOX" -S pk.ext4 -- /usr/bin/sudo -n -u user /usr/bin/id -un 2>&1)
expect_eq "sudo -u user" "$out" "user"

# A failing postinst fails the build with one line naming the package and
# what its script said, and leaves no image. (A kbox wrapper breaks sudo's
# postinst just before the configure run, the only -S run.)
cat >kbox-break <<EOF
#!/bin/bash
if [ "\$1" = -S ]; then
    "$KBOX" -S "\$2" -- /bin/sed -i '1a echo "sudo: broken on purpose" >&2; exit 3' \\
        /var/lib/dpkg/info/sudo.postinst || exit 1
fi
exec "$KBOX" "\$@"
EOF
chmod 755 kbox-break
rc=0
"$MKROOTFS" -q -o broken.ext4 --size 768M --packages "cron sudo man-db ca-certificates" \
    --kbox "$PWD/kbox-break" >out 2>err || rc=$?
[ "$rc" -ne 0 ] || fail "a failing postinst did not fail mkrootfs"
expect_eq "error lines" "$(grep -c . err)" 1
grep -qxF "mkrootfs: error: dpkg --configure -a in the image failed: sudo: sudo: broken on purpose" err ||
    fail "error line: $(cat err)"
[ ! -e broken.ext4 ] || fail "an image was left after the failure"
echo "ok: postinsts ran, packages configured; a failing one is one error line"
