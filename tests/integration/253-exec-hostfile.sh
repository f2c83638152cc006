#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Exec of files in a bind as Linux does it (tests/guest/exec-hostfile):
# kbox ran a program open for writing (natively ETXTBSY), said EACCES
# for execveat(AT_SYMLINK_NOFOLLOW) of a symlink (ELOOP), named the #!
# script, not its interpreter, in /proc/self/exe, and after fexecve of a
# file fd left its copy (read-write, offset at its end) at that number.
# In a bind as root and as a user, and in lx's tmpfs.
. "$(dirname "$0")/lib/common.sh"
require
b=$TMP/bind
mkdir -p "$b" && chmod 777 "$b"
run_guest_test "-b $b:/mnt -S" exec-hostfile /mnt
run_guest_test "-b $b:/mnt --change-id 1000:1000 -R" exec-hostfile /mnt
run_guest_test "--change-id 1000:1000 -R" exec-hostfile /tmp
done_test
