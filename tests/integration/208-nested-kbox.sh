#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# kbox run inside a kbox guest cannot install its own seccomp listener
# (one per filter chain): it said only "cannot start the guest: Device or
# resource busy". It says why, in one line, and fails.
. "$(dirname "$0")/lib/common.sh"
require
d=$TMP/nest
mkdir -p "$d" && cp "$KBOX" "$d/kbox" && cp --sparse=always "$IMG" "$d/inner.ext4"
kbo "$TMP/out" -b "$d:/mnt/k" -S "$IMG" -- /mnt/k/kbox -S /mnt/k/inner.ext4 \
	-- /bin/true
st=$?
[ "$st" -ne 0 ] && pass "nested kbox fails (status $st)" ||
	fail "nested kbox: status 0"
not_crashed "$st" "nested kbox"
expect_grep '^kbox: cannot start the guest: a seccomp listener is already installed on this process \(kbox inside kbox, or another supervisor\)$' \
	"$TMP/out" "nested kbox says a seccomp listener is installed"
expect_no_grep 'Device or resource busy' "$TMP/out" "no bare EBUSY message"
done_test
