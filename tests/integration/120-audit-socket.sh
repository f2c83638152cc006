#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The sandbox has no audit subsystem: socket(AF_NETLINK, ..., NETLINK_AUDIT)
# is EPROTONOSUPPORT, as on a kernel without CONFIG_AUDIT, which libaudit,
# sshd, login and PAM handle. It was the host's socket: the guest's records
# went to the host as kbox's user, and under a rootless kbox every send
# was EPERM, which sshd as guest root took as fatal (each session closed).
# Other netlink sockets (ip, ss) are the host's as before.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
kbo "$TMP/au.out" -S "$img" -- /usr/bin/python3 -c '
import errno, socket
for proto, name in ((9, "audit"), (0, "route")):
    try:
        socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, proto).close()
        print(name, "ok")
    except OSError as e:
        print(name, errno.errorcode[e.errno])'
expect_status 0 $? "netlink sockets"
expect_grep '^audit EPROTONOSUPPORT$' "$TMP/au.out" "NETLINK_AUDIT: EPROTONOSUPPORT"
expect_grep '^route ok$' "$TMP/au.out" "NETLINK_ROUTE: the host's"
done_test
