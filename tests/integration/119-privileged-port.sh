#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bind() to a port below 1024 needs CAP_NET_BIND_SERVICE in the guest's
# credentials: under kbox run by root a guest user served port 80 (the
# host checked kbox's rights). Port 0 (any) and high ports stay free.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
kbo "$TMP/pp.out" --change-id 1000:1000 -R "$img" -- /usr/bin/python3 -c '
import errno, socket
for fam, addr in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
    for port in (80, 0):
        s = socket.socket(fam)
        try:
            s.bind((addr, port))
            print(fam.name, port, "bound")
        except OSError as e:
            print(fam.name, port, errno.errorcode[e.errno])
        s.close()'
expect_status 0 $? "binds of a guest user"
expect_grep '^AF_INET 80 EACCES$' "$TMP/pp.out" "IPv4 port 80: EACCES"
expect_grep '^AF_INET6 80 (EACCES|EADDRNOTAVAIL)$' "$TMP/pp.out" "IPv6 port 80: refused"
expect_grep '^AF_INET 0 bound$' "$TMP/pp.out" "IPv4 port 0: bound"
done_test
