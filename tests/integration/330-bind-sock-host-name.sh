#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A guest's unix socket bound in a bind has its host path as its address,
# as natively: a host datagram server replying to a guest client bound
# there (chronyc, wpa_cli) reaches it, a host client's getpeername of a
# guest server names the real socket, and two guest sockets there answer
# each other by the address recvfrom gave, within one kbox and between
# two sharing the bind, and a guest server replies to a host client
# bound there (the host path recvfrom gives, sent to as the guest path
# it stands for: lx's ENOENT before). kbox bound them through its
# own directory fd, so the host saw "/proc/self/fd/N/name": the host
# server's reply went to its own fd N (ENOENT), and a guest's reply to
# that address never arrived. The guest still sees its guest paths
# (getsockname, /proc/net/unix). As the test's user and, under root,
# rootless as 65534; the host side is Python.
. "$(dirname "$0")/lib/common.sh"
require
py=$(command -v /usr/bin/python3 || command -v python3) || skip "python3 missing"
# kbox needs Landlock for it (src/dispatch/sockbind.c); else the old names
"$py" -c 'import ctypes, sys; sys.exit(ctypes.CDLL(None).syscall(444, None, 0, 1) < 1)' ||
	skip "the host kernel has no Landlock"
cat >"$TMP/s.py" <<'PY'
import errno, os, socket, sys, time
def err(f, *a):
    try:
        return f(*a)
    except OSError as e:
        return errno.errorcode.get(e.errno, "timeout")
mode = sys.argv[1]
def dgram(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path); s.settimeout(20)
    return s
if mode == "dsrv":      # reply to whoever sent, at the address it gave
    s = dgram(sys.argv[2])
    d, frm = s.recvfrom(100)
    print("dsrv reply", err(s.sendto, b"re:" + d, frm), flush=True)
elif mode == "dcli":    # bound client: the server's reply must come back
    s = dgram(sys.argv[3])
    s.sendto(b"ping", sys.argv[2])
    r = err(s.recv, 100)
    print("dcli", r, "name", s.getsockname(), flush=True)
elif mode == "both":    # both ends in the guest
    a = dgram(sys.argv[2]); b = dgram(sys.argv[3])
    b.sendto(b"ping", sys.argv[2]); d, frm = a.recvfrom(100)
    print("both reply", err(a.sendto, b"re:" + d, frm), flush=True)
    print("both", err(b.recv, 100), flush=True)
    net = [l.split()[-1] for l in open("/proc/net/unix") if l.rstrip().endswith(sys.argv[3])]
    print("proc net unix", net, flush=True)
elif mode == "ssrv":    # stream server: accept one client
    s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[2]); s.listen(1)
    s.settimeout(20)
    c, _ = s.accept(); c.sendall(b"hello"); c.recv(1)
    print("ssrv name", s.getsockname(), flush=True)
elif mode == "scli":    # host client of the guest's server
    c = socket.socket(socket.AF_UNIX); c.settimeout(20); c.connect(sys.argv[2])
    print("scli", c.recv(5), "peer", c.getpeername(), flush=True)
    c.send(b"x")
PY
chmod 644 "$TMP/s.py"

# one_run TAG DIR [PREFIX...]: DIR at /mnt/w, the image beside it, the
# host side under PREFIX (kbox under KB_WRAP, which kbo puts first)
one_run() {
	local tag=$1 b=$2
	shift 2
	local img=$b.img
	cp --sparse=always "$IMG" "$img" && mkdir -p "$b" && chmod 777 "$b"
	[ "$#" -gt 0 ] && chown 65534:65534 "$img"
	cp "$TMP/s.py" "$b/s.py"

	# a host datagram server replies to the guest's bound client
	"$@" "$py" "$b/s.py" dsrv "$b/srv.sock" >"$TMP/$tag-dsrv.out" 2>&1 &
	local hp=$!
	for _ in $(seq 50); do [ -S "$b/srv.sock" ] && break; sleep 0.1; done
	KB_TIMEOUT=40 kbo "$TMP/$tag-dcli.out" -S "$img" -b "$b:/mnt/w" -- \
		/usr/bin/python3 /mnt/w/s.py dcli /mnt/w/srv.sock /mnt/w/cli.sock
	wait "$hp"
	expect_grep '^dsrv reply 7$' "$TMP/$tag-dsrv.out" "$tag: the host server's reply to the guest's address is sent"
	expect_grep "^dcli b're:ping' name /mnt/w/cli.sock$" "$TMP/$tag-dcli.out" "$tag: the guest client gets it, its own name the guest path"

	# a host client of a guest server sees the socket's host path
	KB_TIMEOUT=40 kbo "$TMP/$tag-ssrv.out" -S "$img" -b "$b:/mnt/w" -- /usr/bin/python3 /mnt/w/s.py ssrv /mnt/w/g.sock &
	local kp=$!
	for _ in $(seq 200); do [ -S "$b/g.sock" ] && break; sleep 0.1; done
	"$@" "$py" "$b/s.py" scli "$b/g.sock" >"$TMP/$tag-scli.out" 2>&1
	wait "$kp"
	expect_grep "^scli b'hello' peer $b/g.sock$" "$TMP/$tag-scli.out" "$tag: the host client's getpeername is the socket's host path"
	expect_grep "^ssrv name /mnt/w/g.sock$" "$TMP/$tag-ssrv.out" "$tag: the guest server's getsockname is its guest path"

	# a guest server replies to a host client bound in the bind: the
	# address recvfrom gave is a host path, sent to as the guest's
	KB_TIMEOUT=40 kbo "$TMP/$tag-gsrv.out" -S "$img" -b "$b:/mnt/w" -- \
		/usr/bin/python3 /mnt/w/s.py dsrv /mnt/w/gsrv.sock &
	kp=$!
	for _ in $(seq 200); do [ -S "$b/gsrv.sock" ] && break; sleep 0.1; done
	"$@" "$py" "$b/s.py" dcli "$b/gsrv.sock" "$b/hcli.sock" >"$TMP/$tag-hcli.out" 2>&1
	wait "$kp"
	expect_grep '^dsrv reply 7$' "$TMP/$tag-gsrv.out" "$tag: the guest server's reply to the host client's address is sent"
	expect_grep "^dcli b're:ping'" "$TMP/$tag-hcli.out" "$tag: the host client gets it"

	# two kboxes (read-only, one image) sharing the bind: the same
	rm -f "$b/gsrv.sock"
	KB_TIMEOUT=40 kbo "$TMP/$tag-k1.out" -m ro -S "$img" -b "$b:/mnt/w" -- \
		/usr/bin/python3 /mnt/w/s.py dsrv /mnt/w/gsrv.sock &
	kp=$!
	for _ in $(seq 200); do [ -S "$b/gsrv.sock" ] && break; sleep 0.1; done
	KB_TIMEOUT=40 kbo "$TMP/$tag-k2.out" -m ro -S "$img" -b "$b:/mnt/w" -- \
		/usr/bin/python3 /mnt/w/s.py dcli /mnt/w/gsrv.sock /mnt/w/k2.sock
	wait "$kp"
	expect_grep '^dsrv reply 7$' "$TMP/$tag-k1.out" "$tag: a guest replies to another kbox's guest"
	expect_grep "^dcli b're:ping' name /mnt/w/k2.sock$" "$TMP/$tag-k2.out" "$tag: which gets the reply"

	# both ends in the guest answer each other
	KB_TIMEOUT=40 kbo "$TMP/$tag-both.out" -S "$img" -b "$b:/mnt/w" -- \
		/usr/bin/python3 /mnt/w/s.py both /mnt/w/a.sock /mnt/w/b.sock
	expect_grep '^both reply 7$' "$TMP/$tag-both.out" "$tag: a guest replies to the address recvfrom gave"
	expect_grep "^both b're:ping'$" "$TMP/$tag-both.out" "$tag: the other guest socket gets the reply"
	expect_grep "^proc net unix \['/mnt/w/b.sock'\]$" "$TMP/$tag-both.out" "$tag: /proc/net/unix names the guest path"
}

one_run user "$TMP/b1"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && [ "$py" = /usr/bin/python3 ]; then
	nat=$(mktemp -d /tmp/kbox-bind-sock-host-name.XXXXXX) && chmod 755 "$nat"
	trap 'rm -rf "$nat"; cleanup' EXIT
	KB_WRAP="setpriv --reuid=65534 --regid=65534 --clear-groups" \
		one_run nobody "$nat/b" setpriv --reuid=65534 --regid=65534 --clear-groups
fi
done_test
