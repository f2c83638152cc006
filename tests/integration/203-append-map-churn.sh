#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/append-map-churn: O_APPEND writers while short-lived
# processes map the file shared: every record must be in the file. A
# write that found no map of its file ran without kbox's map lock, a map
# made meanwhile was filled before its bytes landed, and the stale memfd
# was written back over them later (hundreds of records of 10,000 read
# back as zeros, in the image and in /tmp).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" append-map-churn /root/amc.log
run_guest_test "-S" append-map-churn /tmp/amc.log
done_test
