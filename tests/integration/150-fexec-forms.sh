#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/fexec-forms: fexecve of a memfd or a bind file goes through
# kbox's exec (its interpreter from the guest's tree, close-on-exec image
# files closed, /proc/self/exe); fexecve of an O_PATH fd; exec of
# /proc/self/fd/N of a bind file; exec of a FIFO in a bind is EACCES (it
# hung); mode 0111 programs run for a guest user; a CRLF #! line is
# ENOENT, as in Linux. As root and as uid 1000, the image and a bind.
. "$(dirname "$0")/lib/common.sh"
require
b=$TMP/bind
mkdir -p "$b"
chmod 0777 "$b"
# an interpreter on the host only: the guest must not run it
cp /bin/true "$TMP/hostonly-interp"
run_guest_test "-b $b:/mnt/b -S" fexec-forms /mnt/b "$TMP/hostonly-interp"
rm -f "$b"/fexec-*
run_guest_test "-b $b:/mnt/b --change-id 1000:1000 -R" fexec-forms /mnt/b \
	"$TMP/hostonly-interp"
done_test
