#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Device numbers: lx's disk has major 60 (local use, never dynamic) and
# its anonymous mounts minors above 1024, so a file in a bind (the host's
# st_dev) never shares (st_dev, st_ino) with one of the image: lx's disk
# was 254:0, a virtio host disk's number, and tar archived a bind file as
# a hard link to an unrelated image file; find -xdev entered binds.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
b=$TMP/bind
mkdir -p "$b" && touch "$b/inside"
host_dev=$(stat -c %d "$b")
kbo "$TMP/dv.out" -S "$img" -b "$b:/mnt" -- /bin/sh -c '
	stat -c "%n %d %D" / /tmp /run /dev/shm /mnt
	find / -xdev -path "/mnt/*" -print | wc -l | sed "s/^/xdev bind entries /"'
expect_status 0 $? "stat of mounts"
dev_of() { awk -v n="$1" '$1 == n { print $2 }' "$TMP/dv.out"; }
check "the bind reports the host's device ($(dev_of /mnt) = $host_dev)" [ "$(dev_of /mnt)" = "$host_dev" ]
differs() { [ -n "$1" ] && [ "$1" != "$2" ]; }
for m in / /tmp /run /dev/shm; do
	check "$m's device ($(dev_of $m)) is not the bind's ($host_dev)" differs "$(dev_of $m)" "$host_dev"
done
expect_grep '^/ [0-9]* 3c00$' "$TMP/dv.out" "the image is on 60:0"
expect_grep '^/tmp [0-9]* 4[0-9a-f]{5}$' "$TMP/dv.out" "tmpfs has a minor above 1024"
expect_grep '^xdev bind entries 0$' "$TMP/dv.out" "find -xdev stays out of the bind"
done_test
