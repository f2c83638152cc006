#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/unshare-fs: unshare(CLONE_FS/CLONE_FILES/CLONE_SYSVSEM/0)
# work as on Linux (they were EPERM), a thread's own cwd included;
# namespaces stay refused.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" unshare-fs /var/tmp
kbo "$TMP/out" -S "$IMG" -- /bin/sh -c 'busybox unshare -m true; echo "status=$?"'
expect_grep 'Operation not permitted' "$TMP/out" "a mount namespace is refused (EPERM)"
expect_grep 'status=1' "$TMP/out" "busybox unshare -m fails"
done_test
