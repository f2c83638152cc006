#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/sock-hostname-perm: a guest user connecting to a root
# daemon's unix socket (0600, in a 0700 directory) by its host name in
# kbox's directory, learned from getsockname of a socket whose binding
# 1024 newer ones displaced, got through past lx's permission checks.
# Such a name now stands for its guest path and is checked as that.
# kbox no longer tells the guest that directory (901-unix-names), so
# kbox's TMPDIR is bound in the guest and the program finds it there.
. "$(dirname "$0")/lib/common.sh"
require
mkdir -m 755 "$TMP/t"
TMPDIR=$TMP/t run_guest_test "-b $TMP/t:/mnt/kt -S" sock-hostname-perm "$TMP/t" /mnt/kt
done_test
