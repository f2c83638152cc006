#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/netlink-portid: the port id the kernel picks for a netlink
# socket (bind with 0, or the first connect/sendto/sendmsg) is the
# caller's pid, also now that kbox makes those calls on its copy of the
# socket (166-host-reach): it was kbox's pid.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" netlink-portid
run_guest_test "-R" netlink-portid
done_test
