#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Raw and packet sockets need CAP_NET_RAW in the guest's credentials:
# under kbox run by root a guest user got AF_PACKET and SOCK_RAW sockets
# (the host checked kbox's rights) and could read the host's traffic.
# Datagram and stream sockets stay free. Changing the host's network
# (SIOCSIFMTU, an RTM_NEWLINK over netlink) needs the guest's
# CAP_NET_ADMIN; reading it (SIOCGIFFLAGS, a link dump) does not. The
# changes tried set lo's MTU to the value it has. setsockopt options
# that need CAP_NET_RAW/CAP_NET_ADMIN (SO_MARK, SO_PRIORITY > 6,
# SO_RCVBUFFORCE, IP_TRANSPARENT, also as a char) are EPERM for a guest
# user, the others work, as for a user natively.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
prog='
import errno, socket
for name, fam, ty, proto in (("raw4", socket.AF_INET, socket.SOCK_RAW, 1),
                             ("raw6", socket.AF_INET6, socket.SOCK_RAW, 58),
                             ("packet", socket.AF_PACKET, socket.SOCK_RAW, 0),
                             ("packetdg", socket.AF_PACKET, socket.SOCK_DGRAM, 0),
                             ("udp", socket.AF_INET, socket.SOCK_DGRAM, 0),
                             ("tcp", socket.AF_INET, socket.SOCK_STREAM, 0)):
    try:
        socket.socket(fam, ty, proto).close()
        print(name, "ok")
    except OSError as e:
        print(name, errno.errorcode[e.errno])'
kbo "$TMP/rs.out" --change-id 1000:1000 -R "$img" -- /usr/bin/python3 -c "$prog"
expect_status 0 $? "sockets of a guest user"
for n in raw4 raw6 packet packetdg; do
    expect_grep "^$n EPERM\$" "$TMP/rs.out" "$n: EPERM for a guest user"
done
expect_grep '^udp ok$' "$TMP/rs.out" "udp: allowed"
expect_grep '^tcp ok$' "$TMP/rs.out" "tcp: allowed"
if [ "$(id -u)" = 0 ]; then
    kbo "$TMP/rs0.out" -S "$img" -- /usr/bin/python3 -c "$prog"
    expect_grep '^packet ok$' "$TMP/rs0.out" "guest root of a root kbox: packet socket"
fi
mkdir -p "$TMP/nb"
cat >"$TMP/nb/netadm.py" <<'PY'
import errno, fcntl, os, socket, struct
def t(name, f):
    try:
        f(); print(name, "ok")
    except OSError as e:
        print(name, errno.errorcode.get(e.errno, e.errno))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
t("siocgifflags", lambda: fcntl.ioctl(s, 0x8913, struct.pack("16sH14s", b"lo", 0, b"")))
mtu = struct.unpack("16si12s", fcntl.ioctl(s, 0x8921, struct.pack("16si12s", b"lo", 0, b"")))[1]
t("siocsifmtu", lambda: fcntl.ioctl(s, 0x8922, struct.pack("16si12s", b"lo", mtu, b"")))
def ask(req, seq):
    n = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    n.bind((0, 0))
    n.send(req)
    while True:
        d = n.recv(65536)
        ty, sq = struct.unpack("=4xH2xI4x", d[:16])
        if ty == 3 and sq == seq:  # NLMSG_DONE
            return
        if ty == 2 and sq == seq:  # NLMSG_ERROR
            err = struct.unpack("=i", d[16:20])[0]
            if err:
                raise OSError(-err, os.strerror(-err))
            return
ifi = struct.pack("=BxHiII", 0, 0, socket.if_nametoindex("lo"), 0, 0)
t("getlink", lambda: ask(struct.pack("=IHHII", 32, 18, 0x301, 1, 0) + ifi, 1))
body = ifi + struct.pack("=HHI", 8, 4, mtu)  # IFLA_MTU
t("setlink", lambda: ask(struct.pack("=IHHII", 16 + len(body), 16, 0x5, 2, 0) + body, 2))
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # setsockopt
t("mark", lambda: s.setsockopt(socket.SOL_SOCKET, 36, 5))
t("prio3", lambda: s.setsockopt(socket.SOL_SOCKET, socket.SO_PRIORITY, 3))
print("prio-now", s.getsockopt(socket.SOL_SOCKET, socket.SO_PRIORITY))
t("prio7", lambda: s.setsockopt(socket.SOL_SOCKET, socket.SO_PRIORITY, 7))
t("rcvbufforce", lambda: s.setsockopt(socket.SOL_SOCKET, 33, 65536))
t("transparent", lambda: s.setsockopt(socket.SOL_IP, 19, 1))
t("transparent-char", lambda: s.setsockopt(socket.SOL_IP, 19, b"\x01"))
t("transparent0", lambda: s.setsockopt(socket.SOL_IP, 19, 0))
t("nodelay", lambda: s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1))
t("quickack", lambda: s.setsockopt(socket.IPPROTO_TCP, 12, 1))
PY
kbo "$TMP/na.out" --change-id 1000:1000 -R "$img" -b "$TMP/nb:/nb" -- /usr/bin/python3 /nb/netadm.py
expect_grep '^siocgifflags ok$' "$TMP/na.out" "a guest user reads interface flags"
expect_grep '^getlink ok$' "$TMP/na.out" "a guest user dumps links over netlink"
expect_grep '^siocsifmtu EPERM$' "$TMP/na.out" "a guest user cannot set an MTU by ioctl"
expect_grep '^setlink EPERM$' "$TMP/na.out" "a guest user cannot set an MTU over netlink"
for n in mark prio7 rcvbufforce transparent transparent-char; do
	expect_grep "^$n EPERM\$" "$TMP/na.out" "setsockopt $n: EPERM for a guest user"
done
for n in prio3 transparent0 nodelay quickack; do
	expect_grep "^$n ok\$" "$TMP/na.out" "setsockopt $n: allowed for a guest user"
done
expect_grep '^prio-now 3$' "$TMP/na.out" "SO_PRIORITY 3 set by kbox for the guest"
if [ "$(id -u)" = 0 ]; then
	kbo "$TMP/na0.out" -S "$img" -b "$TMP/nb:/nb" -- /usr/bin/python3 /nb/netadm.py
	expect_grep '^mark ok$' "$TMP/na0.out" "guest root of a root kbox sets SO_MARK"
	expect_grep '^transparent ok$' "$TMP/na0.out" "guest root of a root kbox sets IP_TRANSPARENT"
	expect_grep '^siocsifmtu ok$' "$TMP/na0.out" "guest root of a root kbox sets an MTU by ioctl"
	expect_grep '^setlink ok$' "$TMP/na0.out" "guest root of a root kbox sets an MTU over netlink"
fi
done_test
