#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Unix sockets at paths inside a bind live on the host: a guest reaches a
# host daemon's socket in a bound directory, a host program reaches a
# socket the guest bound there, with the guest's umask and name (both
# failed with ENOENT: the path went to lx, where the bind is empty).
# connect and sendto to a missing path there are ENOENT (they were
# EXDEV: tmux starts its server only on ENOENT), and a datagram to a
# socket there arrives (sendto was EXDEV); /mnt is in the image, so lx
# has its bind trap there.
. "$(dirname "$0")/lib/common.sh"
require
require_cmd python3
img=$(own_img)
b=$TMP/bind
mkdir -p "$b"
python3 - "$b/host.sock" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)
s.settimeout(60)
c, _ = s.accept(); c.sendall(b'host:' + c.recv(100)); c.close()
PY
srv=$!
for _ in $(seq 50); do [ -S "$b/host.sock" ] && break; sleep 0.1; done
kbo "$TMP/us.out" -S "$img" -b "$b:/m" -- /usr/bin/python3 -c "
import os, socket, time
c = socket.socket(socket.AF_UNIX); c.connect('/m/host.sock')
c.sendall(b'hi'); print(c.recv(100).decode())
os.umask(0o077)
s = socket.socket(socket.AF_UNIX); s.bind('/m/guest.sock'); s.listen(1)
print('name', s.getsockname())
a, _ = s.accept(); a.sendall(b'guest:' + a.recv(10)); a.close()
os.unlink(s.getsockname()); print('unlinked', os.path.exists('/m/guest.sock'))
" &
kb_pid=$!
for _ in $(seq 100); do [ -S "$b/guest.sock" ] && break; sleep 0.1; done
mode=$(stat -c %a "$b/guest.sock" 2>/dev/null)
got=$(python3 -c "
import socket, sys
k = socket.socket(socket.AF_UNIX); k.settimeout(20); k.connect(sys.argv[1])
k.sendall(b'yo'); print(k.recv(100).decode())" "$b/guest.sock" 2>&1)
wait $kb_pid
expect_status 0 $? "the guest's socket calls in a bind"
wait $srv
expect_grep '^host:hi$' "$TMP/us.out" "the guest reaches a host socket in the bind"
check "a host program reaches the guest's socket in the bind" [ "$got" = guest:yo ]
check "the guest's socket has the guest's umask (700, got $mode)" [ "$mode" = 700 ]
expect_grep '^name /m/guest.sock$' "$TMP/us.out" "getsockname gives the guest's path"
expect_grep '^unlinked False$' "$TMP/us.out" "unlink of that name works"
kbo "$TMP/dg.out" -S "$img" -b "$b:/mnt" -- /usr/bin/python3 -c "
import errno, socket
for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
    c = socket.socket(socket.AF_UNIX, kind)
    try:
        c.connect('/mnt/missing.sock') if kind == socket.SOCK_STREAM else c.sendto(b'x', '/mnt/missing.sock')
    except OSError as e:
        print('missing', kind, errno.errorcode[e.errno])
d = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); d.bind('/mnt/dg.sock')
c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); c.sendto(b'dgram', '/mnt/dg.sock')
print('got', d.recv(10).decode())"
expect_status 0 $? "datagrams in a bind"
expect_grep "^missing 1 ENOENT$" "$TMP/dg.out" "connect to a missing socket in a bind: ENOENT"
expect_grep "^missing 2 ENOENT$" "$TMP/dg.out" "sendto a missing socket in a bind: ENOENT"
expect_grep "^got dgram$" "$TMP/dg.out" "a datagram to a socket in a bind arrives"
done_test
