#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/fd-edges (found by tests/guest/fd-fuzz): dup2/dup3 of a
# socket onto an open file's number at or past RLIMIT_NOFILE is EBADF and
# the file stays open (kbox dropped the file first: the fd read as
# /dev/null); F_DUPFD with no free number below the limit is EMFILE (was
# EBADF); FIOCLEX on an O_PATH fd is EBADF (was 0); openat(fd of a
# file, "." or "..") is ENOTDIR (in a bind it opened the file or its
# directory). In lx's tmpfs, in the image and in a bind.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" fd-edges /tmp
run_guest_test "-S" fd-edges /root
mkdir "$TMP/bind"
chmod 777 "$TMP/bind"
run_guest_test "-b $TMP/bind:/mnt/b -S" fd-edges /mnt/b bind
done_test
