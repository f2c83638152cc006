#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# python3 -c walking the tree with os.listdir and writing a file.
. "$(dirname "$0")/lib/common.sh"
require
img_has "$IMG" /usr/bin/python3 || skip "no python3 in the image"

prog='
import os, sys
n = 0
stack = ["/etc", os.path.dirname(os.__file__)]
seen_os = False
while stack:
    d = stack.pop()
    try:
        names = os.listdir(d)
    except PermissionError:
        continue
    for name in names:
        p = os.path.join(d, name)
        n += 1
        if name == "os.py":
            seen_os = True
        if os.path.isdir(p) and not os.path.islink(p):
            stack.append(p)
with open("/root/py-out.txt", "w") as f:
    f.write("entries=%d\n" % n)
with open("/root/py-out.txt") as f:
    print(f.read().strip())
print("os.py found" if seen_os else "os.py missing")
print("uname", os.uname().release)
sys.exit(0 if n > 100 and seen_os else 1)
'
kbo "$TMP/out" -0 -r "$IMG" -- /usr/bin/python3 -c "$prog"
st=$?
sed 's/^/    | /' "$TMP/out"
expect_status 0 "$st" "python3 walk + write"
expect_grep '^entries=[0-9]{3,}' "$TMP/out" "walked hundreds of entries"
expect_grep '^os.py found$' "$TMP/out" "found the stdlib's os.py"
expect_grep '^uname 6\.12\.' "$TMP/out" "os.uname() is lx's 6.12"
img_cat "$IMG" /root/py-out.txt | grep -Eq '^entries=[0-9]+' && pass "python's file is in the image" || fail "/root/py-out.txt not in the image"
done_test
