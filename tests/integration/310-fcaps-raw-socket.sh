#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A program with cap_net_raw+ep (Debian's ping, set by iputils-ping's
# postinst with setcap) run by a guest user of a root kbox gets its raw
# socket, as natively: lx grants the file capability, and kbox makes the
# socket the host process of a --change-id user may not (its bounding
# set has no CAP_NET_RAW). The same program without the capability stays
# EPERM (140-raw-socket.sh). ping failed "socket: Operation not
# permitted" for such a user.
. "$(dirname "$0")/lib/common.sh"
require
[ "$(id -u)" -eq 0 ] || skip "only when kbox runs as the host's root"
kbo "$TMP/setup" -S "$IMG" -- /usr/bin/python3 -c '
import os, struct
prog = open("/usr/bin/python3", "rb").read()
for n in ("rawpy", "plainpy"):
    d = "/usr/bin/" + n
    with open(d, "wb") as f:
        f.write(prog)
    os.chmod(d, 0o755)
# v2, effective, permitted bit 13: CAP_NET_RAW
os.setxattr("/usr/bin/rawpy", "security.capability",
            struct.pack("<5I", 0x02000001, 1 << 13, 0, 0, 0))
print("setup done")'
expect_status 0 $? "setup as guest root"
expect_grep "^setup done$" "$TMP/setup" "setup printed its line"
# an ICMP echo to 127.0.0.1 over the raw socket, as ping sends it
prog='
import errno, socket, struct
try:
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
except OSError as e:
    print("raw4", errno.errorcode[e.errno]); raise SystemExit(0)
print("raw4 ok")
def csum(b):
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    t = (t >> 16) + (t & 0xffff); t += t >> 16
    return ~t & 0xffff
p = struct.pack("!BBHHH", 8, 0, 0, 0x4b42, 1) + b"kboxping"
p = p[:2] + struct.pack("!H", csum(p)) + p[4:]
s.settimeout(5)
s.sendto(p, ("127.0.0.1", 0))
while True:
    d = s.recv(2048)
    ihl = (d[0] & 15) * 4
    if d[ihl] == 0 and d[ihl + 4:ihl + 6] == b"\x4b\x42":
        print("echo reply", d[ihl + 8:].decode()); break'
kbo "$TMP/raw" --change-id 1000:1000 -R "$IMG" -- /usr/bin/rawpy -c "$prog"
expect_status 0 $? "cap_net_raw+ep program as uid 1000"
expect_grep "^raw4 ok$" "$TMP/raw" "its raw socket"
expect_grep "^echo reply kboxping$" "$TMP/raw" "an echo over it"
kbo "$TMP/plain" --change-id 1000:1000 -R "$IMG" -- /usr/bin/plainpy -c "$prog"
expect_status 0 $? "the same program without the capability"
expect_grep "^raw4 EPERM$" "$TMP/plain" "its raw socket is EPERM"
done_test
