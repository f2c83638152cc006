#!/bin/bash
# ./kbox runs programs from the default image (the README's examples) and
# passes the guest's exit status through (128+signal when killed).
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
need_kbox
need_rootfs
out=$("$KBOX" -S "$KBOX_ROOTFS" -- /bin/sh -c 'cat /etc/os-release; uname -s')
grep -q Debian <<<"$out" || fail "no os-release from the image: $out"
grep -qx Linux <<<"$out" || fail "uname -s: $out"
"$KBOX" -r "$KBOX_ROOTFS" -- /bin/ls -la / | grep -q ' usr$' || fail "ls -la / shows no usr"
expect_eq hello "$("$KBOX" -S "$KBOX_ROOTFS" -- /opt/kbox-tests/hello x)" "hello from kbox guest x"
# kbox adds nothing to the guest's stderr; --verbose adds its own lines
# and the kernel's warnings, but lx's boot warned "unable to open an
# initial console" on every run
err=$("$KBOX" -R "$KBOX_ROOTFS" -- /bin/true 2>&1 >/dev/null)
expect_eq "stderr of a quiet run" "$err" ""
err=$("$KBOX" --verbose -R "$KBOX_ROOTFS" -- /bin/true 2>&1 >/dev/null)
grep -q "initial console" <<<"$err" && fail "lx's boot warns about its console: $err"
# make rootfs ran the image's ldconfig: the loader finds libc in its cache
"$KBOX" -r "$KBOX_ROOTFS" -- /usr/sbin/ldconfig -p | grep -q 'libc\.so\.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libc\.so\.6' ||
    fail "no /etc/ld.so.cache listing libc.so.6 in the image"
rc=0; "$KBOX" -S "$KBOX_ROOTFS" -- /opt/kbox-tests/exitcode 7 || rc=$?
expect_eq "exit status" "$rc" 7
rc=0; "$KBOX" -S "$KBOX_ROOTFS" -- /opt/kbox-tests/exitcode -s 9 || rc=$?
expect_eq "killed guest status" "$rc" 137
exit 0
