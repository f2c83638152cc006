#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/inotify-close-read event: a read() blocked on an inotify
# instance watching a bind, whose fd another thread closes, returns the
# event that comes next, as natively: kbox looked the lx fd up again
# each pass and ended the read with EAGAIN (or read whatever file was
# opened at that number since).
. "$(dirname "$0")/lib/common.sh"
require
# a fresh directory each: an existing file makes no IN_CREATE
mkdir -p "$TMP/b1" "$TMP/b2" && chmod 777 "$TMP/b1" "$TMP/b2"
run_guest_test "-b $TMP/b1:/mnt/b -S" inotify-close-read /mnt/b 4 event
run_guest_test "-b $TMP/b2:/mnt/b --change-id 1000:1000 -R" \
	inotify-close-read /mnt/b 2 event
done_test
