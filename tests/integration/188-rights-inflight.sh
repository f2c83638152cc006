#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 300 image-file fds in flight unreceived (tests/guest/rights-inflight):
# each receiver gets its file. kbox's SCM_RIGHTS token table had 256
# slots and evicted the oldest in-flight token: its receiver got an empty
# "kbox-lxfile" memfd. Found while fuzzing sockets with trinity.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-R" rights-inflight
run_guest_test "-S" rights-inflight
done_test
