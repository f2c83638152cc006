#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/mmap-shared: MAP_SHARED + PROT_WRITE mappings of image files
# are shared by every mapping in every process, reach the file on msync,
# fsync and exit, and follow ftruncate growth; after kbox exits the image
# holds even the store made without msync right before the guest exited.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" mmap-shared /var/tmp
img=$(own_img)
kbo "$TMP/plain" -0 -r "$img" -- /opt/kbox-tests/mmap-shared /root
expect_status 0 $? "mmap-shared under -0 -r, scratch in /root"
got=$(img_cat "$img" /root/mmap-shared.bin | dd bs=1 skip=200 count=5 2>/dev/null)
if [ "$got" = final ]; then
	pass "the store made without msync before exit is in the image"
else
	fail "the store made without msync before exit is in the image (got '$got')" "$TMP/plain"
fi
done_test
