#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/scm-creds: SCM_CREDENTIALS as Linux checks and delivers
# them. sendmsg with credentials was EPERM for everyone (Go's
# TestSCMCredentials), and a receiver with SO_PASSCRED saw kbox's host
# user (uid 0 for every guest user under a root kbox) or kbox's pid.
# (Under a rootless kbox a datagram kbox sends for a guest to a path
# still names kbox's pid and an unmapped user: docs/supervisor.md.)
. "$(dirname "$0")/lib/common.sh"
require
mkdir -p "$TMP/b" && chmod 777 "$TMP/b"
run_guest_test "-b $TMP/b:/mnt/b -S" scm-creds /tmp
run_guest_test "-b $TMP/b:/mnt/b -S" scm-creds /mnt/b
done_test
