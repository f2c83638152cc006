#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# #! scripts checked in Linux's order (tests/guest/shebang-edges): kbox
# said ENOEXEC for a line without a newline in its first 256 bytes whose
# interpreter name ends with a blank in byte 255 (it runs), ELOOP for a
# sixth script in a row whose line or interpreter is bad (Linux parses
# it and opens that interpreter first: ENOEXEC, ENOENT, EACCES), and
# ENOENT for a bad #! line run by a close-on-exec fd (ENOEXEC). In the
# image, lx's tmpfs and a bind.
. "$(dirname "$0")/lib/common.sh"
require
b=$TMP/bind
mkdir -p "$b" && chmod 777 "$b"
run_guest_test "--change-id 1000:1000 -R" shebang-edges /var/tmp
run_guest_test "-S" shebang-edges /tmp
run_guest_test "-b $b:/mnt -S" shebang-edges /mnt
done_test
