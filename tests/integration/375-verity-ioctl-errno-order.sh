#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The fs-verity ioctls answer in Linux 6.12's order when the argument
# cannot be read (fs/ext4/ioctl.c, fs/verity/{enable,measure,
# read_metadata}.c): an image without -O verity is EOPNOTSUPP and a file
# without verity ENODATA before the argument is read, and enable's
# EINVALs (version, block size) come before its EMSGSIZE. kbox read the
# argument first, so each was EFAULT (EMSGSIZE), where the host's own
# ext4 says EOPNOTSUPP.
# shellcheck disable=SC2016 # expanded by the guest shell
. "$(dirname "$0")/lib/common.sh"
require
require_cmd tune2fs
img=$(own_img)
cat >"$TMP/v.py" <<'PY'
import errno, fcntl, os, struct, sys
ENABLE, MEASURE, READ = 0x40806685, 0xc0046686, 0xc0286687
fd = os.open(sys.argv[1], os.O_RDONLY)
def say(what, req, arg):
    try:
        fcntl.ioctl(fd, req, arg)
        print(what, "ok")
    except OSError as e:
        print(what, errno.errorcode[e.errno])
say("enable-null", ENABLE, 0)
say("measure-null", MEASURE, 0)
say("read-null", READ, 0)
# version 2, block size 4096, salt_size 100: EINVAL before EMSGSIZE
say("enable-v2", ENABLE, struct.pack("=IIIIQIIQ88x", 2, 1, 4096, 100, 0, 0, 0, 0))
say("enable-big-salt", ENABLE, struct.pack("=IIIIQIIQ88x", 1, 1, 4096, 100, 0, 0, 0, 0))
PY
cp "$TMP/v.py" "$TMP/bind.py"

kbo "$TMP/plain" -S "$img" -b "$TMP/bind.py:/v.py" -- /bin/sh -c 'python3 /v.py /etc/passwd'
expect_status 0 $? "an image without verity"
for w in enable-null measure-null read-null enable-v2 enable-big-salt; do
	expect_grep "^$w ENOTSUP$" "$TMP/plain" "no -O verity: $w is EOPNOTSUPP (ENOTSUP)"
done

tune2fs -O verity "$img" >/dev/null 2>&1 || skip "tune2fs cannot set verity"
kbo "$TMP/ver" -S "$img" -b "$TMP/bind.py:/v.py" -- /bin/sh -c 'echo data >/tmp/f && python3 /v.py /etc/passwd'
expect_status 0 $? "an image with verity"
expect_grep '^enable-null EFAULT$' "$TMP/ver" "enable reads its argument first"
expect_grep '^measure-null ENODATA$' "$TMP/ver" "measure of a file without verity: ENODATA first"
expect_grep '^read-null ENODATA$' "$TMP/ver" "read_metadata likewise"
expect_grep '^enable-v2 EINVAL$' "$TMP/ver" "version 2: EINVAL before the salt's size"
expect_grep '^enable-big-salt EMSGSIZE$' "$TMP/ver" "a 100-byte salt: EMSGSIZE"
done_test
