#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A unix socket node in the image that no socket holds: one bound in an
# earlier run and left there (a daemon killed), or made by mknod. connect,
# sendto and sendmsg to it are ECONNREFUSED in Linux, which programs take
# as "stale: remove it and serve"; kbox said ENOENT (its host socket for
# the node was gone), which reads as "no such socket".
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
kbo "$TMP/bind" -0 -r "$img" -- /usr/bin/python3 -c '
import socket
s = socket.socket(socket.AF_UNIX)
s.bind("/root/left.sock")
s.listen()
print("bound")'
expect_status 0 $? "first run binds /root/left.sock and exits"
kbo "$TMP/out" -0 -r "$img" -- /usr/bin/python3 -c '
import errno, os, socket
def err(f, *a):
    try:
        f(*a)
        return "ok"
    except OSError as e:
        return errno.errorcode[e.errno]
c = socket.socket(socket.AF_UNIX)
print("connect", err(c.connect, "/root/left.sock"))
d = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
print("sendto", err(d.sendto, b"x", "/root/left.sock"))
print("sendmsg", err(d.sendmsg, [b"x"], [], 0, "/root/left.sock"))
os.mknod("/tmp/made.sock", 0o140666)
print("mknod", err(socket.socket(socket.AF_UNIX).connect, "/tmp/made.sock"))
print("missing", err(socket.socket(socket.AF_UNIX).connect, "/tmp/none.sock"))
print("bind", err(socket.socket(socket.AF_UNIX).bind, "/root/left.sock"))'
expect_status 0 $? "second run"
for want in "connect ECONNREFUSED" "sendto ECONNREFUSED" "sendmsg ECONNREFUSED" \
	"mknod ECONNREFUSED" "missing ENOENT" "bind EADDRINUSE"; do
	expect_grep "^$want\$" "$TMP/out" "$want"
done
done_test
