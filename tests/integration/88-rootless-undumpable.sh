#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A guest process that makes itself undumpable (prctl PR_SET_DUMPABLE 0,
# as sudo does) keeps working under a rootless kbox: its memory could no
# longer be read without CAP_SYS_PTRACE, and every later supervised call
# failed with EFAULT ("sudoers.so: Bad address"). Run as nobody when the
# tests run as root. Also capget with an unknown version and no data
# pointer is told the kernel's version (libcap-ng's setpriv asks so).
. "$(dirname "$0")/lib/common.sh"
require
rootless_run_as
d=$(mktemp -d /tmp/kbox-undump.XXXXXX)
cp --sparse=always "$IMG" "$d/img"
chmod 755 "$d"
chmod 666 "$d/img"
[ "$(id -u)" -eq 0 ] && chown 65534:65534 "$d"
kbox_abs=$(cd "$(dirname "$KBOX")" && pwd)/$(basename "$KBOX")
timeout 60 "${run_as[@]}" env HOME="$d" "$kbox_abs" -R "$d/img" -- \
	/opt/kbox-tests/undumpable /tmp >"$TMP/out" 2>&1
expect_status 0 $? "an undumpable guest process"
expect_grep '^7 passed, 0 failed$' "$TMP/out" "its checks"
rm -rf "$d"
done_test
