#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Under kbox run by root, a guest user (--change-id) is its own uid to a
# host process at the other end of a unix socket: it was root in
# SO_PEERCRED and in the kernel's SCM_CREDENTIALS (the guest's host
# process and kbox, which makes connects and sends on its copy, run as
# root), so host daemons that trust a root peer on an abstract socket
# (multipathd, iscsid, containerd's shims) would have obeyed a guest
# user (src/dispatch/peercred.c kbox_sock_ids_as_guest).
. "$(dirname "$0")/lib/common.sh"
[ "$(id -u)" -eq 0 ] || skip "only when kbox runs as the host's root"
require
require_cmd python3
name="kbox-peer-$$"
python3 - "$name" >"$TMP/host" 2>&1 <<'PY' &
import socket, struct, sys
n = "\0" + sys.argv[1]
st = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
st.bind(n + "s"); st.listen(1)
dg = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
dg.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
dg.bind(n + "d")
print("ready", flush=True)
st.settimeout(30); dg.settimeout(30)
c, _ = st.accept()
pid, uid, gid = struct.unpack("3i", c.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
print("stream", uid, gid, flush=True)
msg, anc, _, _ = dg.recvmsg(64, socket.CMSG_SPACE(12))
for lvl, typ, data in anc:
    if typ == socket.SCM_CREDENTIALS:
        pid, uid, gid = struct.unpack("3i", data)
        print("dgram", uid, gid, flush=True)
PY
host=$!
for _ in $(seq 50); do
	grep -q ready "$TMP/host" 2>/dev/null && break
	sleep 0.1
done
kbo "$TMP/out" --change-id 1000:1000 -R "$IMG" -- /usr/bin/python3 -c '
import socket, sys
n = "\0" + sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(n + "s")
d = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); d.sendto(b"x", n + "d")
print("sent")' "$name"
expect_status 0 $? "the guest user connected and sent"
wait "$host"
sed 's/^/    host: /' "$TMP/host"
expect_grep '^stream 1000 1000$' "$TMP/host" "SO_PEERCRED of the guest user's connect is 1000:1000"
expect_grep '^dgram 1000 1000$' "$TMP/host" "SCM_CREDENTIALS of its datagram is 1000:1000"
done_test
