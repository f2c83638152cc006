#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A shared mapping of an image or tmpfs file makes no inotify events of
# kbox's own (tests/guest/inotify-edges mmap; found by
# tests/guest/inotify-fuzz): kbox fills the mapping's memfd and writes
# stores back through the guest's own open file, so a watch saw IN_ACCESS
# at mmap and at every write() to the file, IN_MODIFY at msync, and no
# IN_CLOSE_WRITE at close (kbox still held that file); a read() of a file
# mapped writable, served from the mapping's copy, made no IN_ACCESS; and
# unlinking the file once unmapped and closed made no IN_DELETE_SELF
# until the process ended (kbox's open kept the inode). kbox now uses an
# open of its own
# that inotify does not see (lx's LX_GETFD_QUIET), and drops the maps of
# files left with no name and no mapper at unlink and rename.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" inotify-edges mmap /tmp
run_guest_test "-S" inotify-edges mmap /var/tmp
run_guest_test "--change-id 1000:1000 -R" inotify-edges mmap /var/tmp
done_test
