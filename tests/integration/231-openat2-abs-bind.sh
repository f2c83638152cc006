#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# openat2 of an absolute path into a bind honours RESOLVE_BENEATH (EXDEV),
# RESOLVE_NO_SYMLINKS (ELOOP) and RESOLVE_IN_ROOT (from the dirfd)
# (tests/guest/openat2-abs-bind): kbox ignored them and opened the
# bind's file. With a bind present, RESOLVE_BENEATH's EXDEV for ".." to a
# missing name in the image became ENOENT.
. "$(dirname "$0")/lib/common.sh"
require
b=$TMP/bind
mkdir -p "$b" && chmod 777 "$b"
run_guest_test "-b $b:/mnt -R" openat2-abs-bind /mnt /tmp
rm -rf "${b:?}"/*
run_guest_test "-b $b:/mnt -S" openat2-abs-bind /mnt /tmp
done_test
