#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The guest shares the host's network, and /proc/net was the host's, but
# three views of that network were not:
# - /proc/self/net and /proc/<pid>/net (what /proc/net links to) were
#   lx's: only lo, no tcp file, no unix socket of the guest's;
# - /proc/net/unix named a guest's socket bound to an image path by
#   kbox's host name for it (<dir>/s-<dev>-<ino>), so netstat -x and lsof
#   did not find /tmp/x.sock; it now shows the path bind() was given;
# - /proc/sys/net was lx's (core and unix only: no ipv4, so sysctl
#   net.ipv4.* and readers of ip_local_port_range failed); it is the
#   host's, and a guest user may not open it for writing (EACCES, as
#   Linux answers a user; under a root kbox the host would let it), nor
#   reopen a read-only fd of it for writing through /proc/self/fd/N;
#   /proc/sys/net/unix, a directory, is not rewritten as /proc/net/unix.
# As root and as a user.
. "$(dirname "$0")/lib/common.sh"
require

range=$(cat /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null) ||
	skip "the host has no /proc/sys/net/ipv4"
range=$(echo $range) # one space between the numbers
hostnet=$(ls /proc/sys/net | tr '\n' ' ')
hostunix=$(ls /proc/sys/net/unix | tr '\n' ' ')

cat >"$TMP/probe.py" <<'EOF'
import errno, os, socket, sys
tag = sys.argv[1]
t = socket.socket(); t.bind(("127.0.0.1", 0)); t.listen()
port = "%04X" % t.getsockname()[1]
for f in ("/proc/net/tcp", "/proc/self/net/tcp", "/proc/%d/net/tcp" % os.getpid()):
    try:
        n = sum(1 for l in open(f) if l.split()[1].endswith(":" + port) and l.split()[3] == "0A")
    except OSError as e:
        n = errno.errorcode[e.errno]
    print("tcp", f.replace(str(os.getpid()), "PID"), n)
os.chdir("/tmp")
u = socket.socket(socket.AF_UNIX); u.bind("/tmp/t901-%s.sock" % tag); u.listen()
v = socket.socket(socket.AF_UNIX); v.bind("rel901-%s.sock" % tag); v.listen()
for f in ("/proc/net/unix", "/proc/self/net/unix"):
    try:
        for l in open(f):
            w = l.split()
            if len(w) == 8 and w[7].endswith("-%s.sock" % tag):
                ino = int(w[6])
                own = ino in (os.fstat(u.fileno()).st_ino, os.fstat(v.fileno()).st_ino)
                print("unix", f, w[7], own)
    except OSError as e:
        print("unix", f, errno.errorcode[e.errno])
try:
    print("range", " ".join(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()))
except OSError as e:
    print("range", errno.errorcode[e.errno])
print("sysnet", " ".join(sorted(os.listdir("/proc/sys/net"))) + " ")
try:
    print("sysunix", " ".join(sorted(os.listdir("/proc/sys/net/unix"))) + " ")
except OSError as e:
    print("sysunix", errno.errorcode[e.errno])
# opened and closed without a write: nothing changes even if allowed
try:
    os.close(os.open("/proc/sys/net/ipv4/ip_forward", os.O_WRONLY))
    print("write open ok")
except OSError as e:
    print("write open", errno.errorcode[e.errno])
# nor by reopening a read-only (or O_PATH) fd of it through its magic link
for how, fl in (("ro", os.O_RDONLY), ("path", os.O_PATH)):
    try:
        r = os.open("/proc/sys/net/ipv4/ip_forward", fl)
        os.close(os.open("/proc/self/fd/%d" % r, os.O_WRONLY))
        print("reopen", how, "ok")
    except OSError as e:
        print("reopen", how, errno.errorcode[e.errno])
EOF
chmod 644 "$TMP/probe.py"
chmod 755 "$TMP"

for mode in root user; do
	if [ $mode = root ]; then
		opts="-S"
	else
		opts="--change-id 1000:1000 -R"
	fi
	# shellcheck disable=SC2086
	kbo "$TMP/$mode.out" $opts "$(own_img)" -b "$TMP:/mnt/t901" -- \
		/usr/bin/python3 /mnt/t901/probe.py $mode
	expect_status 0 $? "$mode: the probe runs"
	for f in /proc/net/tcp /proc/self/net/tcp /proc/PID/net/tcp; do
		expect_grep "^tcp $f 1$" "$TMP/$mode.out" "$mode: $f lists the guest's listener"
	done
	for f in /proc/net/unix /proc/self/net/unix; do
		expect_grep "^unix $f /tmp/t901-$mode.sock True$" "$TMP/$mode.out" \
			"$mode: $f names the guest's socket by its path"
		expect_grep "^unix $f rel901-$mode.sock True$" "$TMP/$mode.out" \
			"$mode: $f names a relative binding as bind() got it"
	done
	expect_no_grep "^unix .*/s-[0-9]" "$TMP/$mode.out" "$mode: no kbox host name shows"
	expect_grep "^range $range$" "$TMP/$mode.out" \
		"$mode: /proc/sys/net/ipv4/ip_local_port_range is the host's"
	expect_grep "^sysnet $hostnet$" "$TMP/$mode.out" "$mode: /proc/sys/net lists the host's"
	expect_grep "^sysunix $hostunix$" "$TMP/$mode.out" \
		"$mode: /proc/sys/net/unix lists (it was read as /proc/net/unix: EISDIR)"
done
expect_grep "^write open EACCES$" "$TMP/user.out" \
	"a guest user may not open /proc/sys/net for writing"
expect_grep "^write open EACCES$" "$TMP/root.out" \
	"nor may guest root: they are the host's settings"
for mode in user root; do
	for how in ro path; do
		expect_grep "^reopen $how EACCES$" "$TMP/$mode.out" \
			"$mode: nor through /proc/self/fd/N of a $how fd of it"
	done
done
done_test
