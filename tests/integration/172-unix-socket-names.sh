#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A unix socket bound at a path in lx has a host socket named
# s-<dev>-<ino> in kbox's private directory. Its name went only when kbox
# exited: a session binding a socket in /tmp over and over (a server
# restarted in a loop, a test suite) left one host node per bind there
# (lx's tmpfs never reuses an inode number). An unlink, or a rename over
# the node, of its last name now removes the host name too; a socket
# still named keeps its host name (connect works), and so does one
# renamed onto itself.
. "$(dirname "$0")/lib/common.sh"
require
require_cmd python3
img=$(own_img)
b=$TMP/b
rt=$TMP/rt
mkdir -p "$b" "$rt"
TMPDIR=$rt timeout -k 5 "$KB_TIMEOUT" "$KBOX" -S "$img" -b "$b:/m" -- \
	/usr/bin/python3 -c "
import os, socket, time
def bound(p):
    s = socket.socket(socket.AF_UNIX); s.bind(p); s.listen(1); return s
for i in range(300):
    s = bound('/tmp/s'); os.unlink('/tmp/s'); s.close()
for i in range(50):
    s = bound('/tmp/a'); t = bound('/tmp/b')
    os.rename('/tmp/a', '/tmp/b'); os.unlink('/tmp/b'); s.close(); t.close()
keep = bound('/tmp/keep')
os.rename('/tmp/keep', '/tmp/keep')
os.link('/tmp/keep', '/tmp/keep2'); os.unlink('/tmp/keep2')
c = socket.socket(socket.AF_UNIX); c.connect('/tmp/keep')
print('connected', flush=True)
open('/m/ready', 'w').close()
for _ in range(600):
    if os.path.exists('/m/go'): break
    time.sleep(0.05)
c2 = socket.socket(socket.AF_UNIX); c2.connect('/tmp/keep'); print('still', flush=True)
" >"$TMP/out" 2>&1 </dev/null &
kb_pid=$!
for _ in $(seq 300); do [ -e "$b/ready" ] && break; sleep 0.1; done
n=$(find "$rt" -name 's-*' | wc -l)
touch "$b/go"
wait $kb_pid
expect_status 0 $? "350 sockets bound and unlinked"
expect_grep '^connected$' "$TMP/out" "a socket still named is reachable"
expect_grep '^still$' "$TMP/out" "and stays so (renamed onto itself, a link removed)"
check "host socket names left in kbox's directory: $n (want 1)" [ "$n" -eq 1 ]
done_test
