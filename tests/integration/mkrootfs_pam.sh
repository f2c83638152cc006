#!/bin/bash
# An image built with PAM (login, passwd; perl-base for pam-auth-update) gets the /etc/pam.d/common-*
# stack libpam-runtime's postinst makes on a first install (pam-auth-update
# run in the image under kbox): without it su, login, sudo and cron found
# no PAM stack ("su: Authentication failure" for root itself).
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
need_kbox
cd "$TEST_TMP" || exit 1
"$MKROOTFS" -q -o pam.ext4 --size 512M --packages "login passwd perl-base util-linux" --kbox "$KBOX" \
    >out 2>&1 || {
    cat out >&2
    fail "mkrootfs with login and passwd failed"
}
for f in common-auth common-account common-session common-password; do
    image_cat pam.ext4 "/etc/pam.d/$f" | grep -q pam_unix.so ||
        fail "/etc/pam.d/$f missing or without pam_unix"
done
out=$("$KBOX" -S pam.ext4 -- /bin/su user -c /usr/bin/id 2>&1)
case $out in
uid=1000*) ;;
*) fail "su to user in the image: $out" ;;
esac
echo "ok: common-* made, su works"
