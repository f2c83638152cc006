#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/path-escape: every route out of the root (.., symlinks,
# /proc/self/root, /proc/self/cwd, double chroot as root) stays in the image;
# host-only paths (this tree, the test's temp dir, host-only top-level
# names) stay invisible.
. "$(dirname "$0")/lib/common.sh"
require
hostonly=("$KBOX_ROOT" "$TMP")
for h in /*; do
	img_has "$IMG" "$h" || hostonly+=("$h")
done
echo "  host-only paths: ${hostonly[*]}"
run_guest_test "-S" path-escape -c "${hostonly[@]}"
run_guest_test "--change-id 1000:1000 -R" path-escape "${hostonly[@]}"
run_guest_test "-0 -r" path-escape -d /var/tmp "${hostonly[@]}"
done_test
