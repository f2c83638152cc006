#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# chattr's flags on lx's tmpfs (/tmp, /run, /dev/shm), as on Linux's:
# FS_IOC_GETFLAGS/SETFLAGS were ENOTTY there (lsattr and chattr failed,
# and programs that mark their files append-only or nodump gave up).
# Append-only is enforced (no plain write open, no unlink), nodump passes
# from a directory to a file made in it, and an immutable file refuses a
# write open. Nor did listxattr of a tmpfs root or a symlink there list
# the two POSIX ACL names (no ACL exists; getxattr of them is ENODATA).
. "$(dirname "$0")/lib/common.sh"
require
require_cmd python3
img=$(own_img)
kbo "$TMP/out" -S "$img" -- /usr/bin/python3 -c "
import errno, fcntl, os, struct
GET, SET = 0x80086601, 0x40086602
APPEND, IMMUTABLE, NODUMP = 0x20, 0x10, 0x40
def get(fd): return struct.unpack('i', fcntl.ioctl(fd, GET, b'\0' * 4))[0]
def put(fd, v): fcntl.ioctl(fd, SET, struct.pack('i', v))
def tryit(what, f):
    try: f(); print(what, 'ok')
    except OSError as e: print(what, errno.errorcode[e.errno])
p = '/tmp/f'
open(p, 'w').write('ab')
fd = os.open(p, os.O_RDONLY)
print('flags', get(fd))
put(fd, APPEND)
print('flags', get(fd))
tryit('write-open', lambda: os.open(p, os.O_WRONLY))
w = os.open(p, os.O_WRONLY | os.O_APPEND); os.write(w, b'c'); os.close(w)
tryit('unlink', lambda: os.unlink(p))
put(fd, IMMUTABLE)
tryit('rdwr-open', lambda: os.open(p, os.O_RDWR))
put(fd, 0)
print('content', open(p).read())
os.unlink(p)
os.mkdir('/run/d')
d = os.open('/run/d', os.O_RDONLY)
put(d, NODUMP)
open('/run/d/in', 'w').close()
print('inherited', get(os.open('/run/d/in', os.O_RDONLY)))
os.symlink('in', '/run/d/l')
print('listed', os.listxattr('/tmp'), os.listxattr('/run/d/l', follow_symlinks=False))
"
st=$?
expect_status 0 "$st" "chattr flags on tmpfs"
expect_grep "^flags 0$" "$TMP/out" "a new file has no flags"
expect_grep "^flags 32$" "$TMP/out" "append-only set and read back"
expect_grep "^write-open EPERM$" "$TMP/out" "append-only: a plain write open is EPERM"
expect_grep "^unlink EPERM$" "$TMP/out" "append-only: unlink is EPERM"
expect_grep "^rdwr-open EPERM$" "$TMP/out" "immutable: a write open is EPERM"
expect_grep "^content abc$" "$TMP/out" "the O_APPEND write landed"
expect_grep "^inherited 64$" "$TMP/out" "nodump passes from the directory"
expect_grep "^listed \[\] \[\]$" "$TMP/out" "no ACL names listed for the root or a symlink"
done_test
