# shellcheck shell=bash disable=SC2034 # variables are for the tests
# SPDX-License-Identifier: MIT
# Helpers for integration and stress test scripts (sourced).
# Exit 0 = pass, 77 = skip, anything else = fail.
set -euo pipefail

KBOX_ROOT=${KBOX_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
KBOX=${KBOX:-$KBOX_ROOT/kbox}
KBOX_ROOTFS=${KBOX_ROOTFS:-$KBOX_ROOT/rootfs.ext4}
KBOX_CACHE=${KBOX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kbox}
export KBOX_CACHE
if [ -z "${TEST_TMP:-}" ]; then
    TEST_TMP=$(mktemp -d)
    trap 'rm -rf "$TEST_TMP"' EXIT
fi
MKROOTFS=$KBOX_ROOT/scripts/mkrootfs.sh
E2LS=$KBOX_ROOT/tests/lib/e2ls.py
PATH=$PATH:/sbin:/usr/sbin

fail()
{
    echo "FAIL: $*" >&2
    exit 1
}
skip()
{
    echo "$*"
    exit 77
}
need_kbox() { [ -x "$KBOX" ] || skip "needs ./kbox (not built yet)"; }
need_rootfs() { [ -f "$KBOX_ROOTFS" ] || skip "needs $KBOX_ROOTFS (make rootfs)"; }

# expect_eq WHAT GOT WANT
expect_eq()
{
    [ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"
}

# image_cat IMAGE PATH: print a file from an ext4 image
image_cat() { debugfs -R "cat \"$2\"" "$1" 2>/dev/null; }

# image_ls IMAGE: the image's tree as e2ls lines
image_ls() { python3 "$E2LS" image "$1"; }
dir_ls() { python3 "$E2LS" dir "$1"; }

# e2fsck_clean IMAGE
e2fsck_clean()
{
    local out
    out=$(e2fsck -fn "$1" 2>&1) || {
        echo "$out" >&2
        fail "e2fsck -fn $1 is not clean"
    }
}

# compare_trees DIR IMAGE: same file list, modes, owners, symlinks
compare_trees()
{
    dir_ls "$1" >"$TEST_TMP/want.ls"
    image_ls "$2" >"$TEST_TMP/got.ls"
    if ! diff -u "$TEST_TMP/want.ls" "$TEST_TMP/got.ls" >"$TEST_TMP/diff"; then
        head -n 40 "$TEST_TMP/diff" >&2
        fail "tree of $2 differs from $1"
    fi
}

# Run a command as an unprivileged user (when we are root): as_nobody CMD...
can_drop_root() { [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; }
as_nobody()
{
    setpriv --reuid=65534 --regid=65534 --clear-groups -- env HOME="$TEST_TMP/nobody-home" "$@"
}
