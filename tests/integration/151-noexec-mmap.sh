#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/noexec-mmap: mmap with PROT_EXEC of a file on a noexec mount
# is EPERM, as Linux says; kbox maps a memfd copy, on no such mount, and
# the mapping succeeded. (mprotect to PROT_EXEC later is the host's and
# still succeeds: docs/supervisor-status.md.)
. "$(dirname "$0")/lib/common.sh"
require
kbo "$TMP/out" -S "$IMG" -- /bin/sh -c '
	mkdir -p /mnt/nx /mnt/ex
	busybox mount -t tmpfs -o noexec none /mnt/nx || exit 3
	busybox mount -t tmpfs none /mnt/ex || exit 3
	echo data >/mnt/nx/f; echo data >/mnt/ex/f
	/opt/kbox-tests/noexec-mmap /mnt/nx/f /mnt/ex/f; st=$?
	busybox umount /mnt/nx; busybox umount /mnt/ex; exit $st'
expect_status 0 $? "noexec-mmap"
expect_no_grep "^FAIL" "$TMP/out" "no FAIL line"
expect_grep "^ok - PROT_EXEC on a noexec mount: EPERM" "$TMP/out" "PROT_EXEC on a noexec mount: EPERM"
done_test
