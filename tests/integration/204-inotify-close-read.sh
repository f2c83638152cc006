#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/inotify-close-read: a guest thread blocked in read() of an
# inotify instance watching a bind while another closes it. kbox freed
# its paired host instance under the reader (a use after free that only
# a sanitizer sees: a kbox built with ASAN, `make MODE=debug`, aborts
# there) and leaked it when no read was pending.
. "$(dirname "$0")/lib/common.sh"
require
b=$TMP/b
mkdir -p "$b" && chmod 777 "$b"
run_guest_test "-b $b:/mnt/b -S" inotify-close-read /mnt/b 5
expect_no_grep 'Sanitizer' "$GUEST_OUT" "no sanitizer report"
done_test
