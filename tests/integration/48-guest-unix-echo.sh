#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/unix-echo: unix sockets bound to paths in the guest's
# filesystem (tmpfs and ext4), echo between forked guest processes, SCM_RIGHTS;
# from other threads too.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" unix-echo
run_guest_test "-0 -r" unix-echo /var/tmp
# As a normal user: SCM_RIGHTS of image files must not need ptrace rights
# over kbox's holder task (they did: the receiver got no fd).
run_guest_test "--change-id 1000:1000 -R" unix-echo
# the same calls from a second thread (tests/guest/thread-sockets)
run_guest_test "-S" thread-sockets /root
run_guest_test "--change-id 1000:1000 -R" thread-sockets /tmp

# getsockname/getpeername give the path bind() was given (they gave
# kbox's host socket name, which unlink() in the guest could not find)
img=$(own_img)
kbo "$TMP/names.out" -S "$img" -- /usr/bin/python3 -c "
import os, socket
os.chdir('/tmp')
s = socket.socket(socket.AF_UNIX); s.bind('rel.sock'); s.listen()
t = socket.socket(socket.AF_UNIX); t.bind('/root/abs.sock')
print('sockname', s.getsockname(), t.getsockname())
c = socket.socket(socket.AF_UNIX); c.connect('/tmp/rel.sock')
print('peername', c.getpeername(), repr(c.getsockname()))
os.unlink(s.getsockname())
print('unlinked', os.path.exists('/tmp/rel.sock'))
i = socket.socket(socket.AF_INET); i.bind(('127.0.0.1', 0))
print('inet', i.getsockname()[0])
"
expect_grep '^sockname rel.sock /root/abs.sock$' "$TMP/names.out" "getsockname gives the bound paths"
expect_grep "^peername rel.sock ''$" "$TMP/names.out" "getpeername gives the server's path; an unbound client has none"
expect_grep '^unlinked False$' "$TMP/names.out" "the name unlinks the socket"
expect_grep '^inet 127.0.0.1$' "$TMP/names.out" "other families are the host's"
done_test
