#!/bin/bash
# SPDX-License-Identifier: MIT
# The default image's packages are configured under kbox: a kbox that
# cannot start and says nothing (killed by a seccomp sandbox's SIGSYS,
# or exiting silently) still gets one clear error line naming it; the
# line was "dpkg --configure -a in the image failed: " and nothing more.
# No image (nor temporary file) is left under the output name.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
cd "$TEST_TMP" || exit 1
printf '#!/bin/sh\nkill -SYS $$\n' >sigsys-kbox
printf '#!/bin/sh\nexit 3\n' >silent-kbox
chmod 755 sigsys-kbox silent-kbox
tests=$KBOX_ROOT/build/guest
[ -d "$tests" ] || tests=$TEST_TMP

# try KBOX PATTERN: mkrootfs fails with one line matching PATTERN
try()
{
    local rc=0
    "$MKROOTFS" -q -o a.ext4 --tests "$tests" --kbox "$PWD/$1" >out 2>err || rc=$?
    if ! grep -q "dpkg --configure -a in the image failed" err; then
        # the packages could not be fetched here (no network, no cache)
        cat err >&2
        exit 77
    fi
    expect_eq "exit status with $1" "$rc" 1
    grep -q "^mkrootfs: error: dpkg --configure -a in the image failed: $2\$" err || {
        cat err >&2
        fail "mkrootfs --kbox $1: error does not match '$2'"
    }
    expect_eq "error lines with $1" "$(grep -c . err)" 1
    [ -e a.ext4 ] && fail "a.ext4 left with $1"
    compgen -G '*.tmp' >/dev/null && fail "temporary file left with $1"
    return 0
}
try sigsys-kbox "$PWD/sigsys-kbox was killed by signal 31"
try silent-kbox "$PWD/silent-kbox exited with status 3"
exit 0
