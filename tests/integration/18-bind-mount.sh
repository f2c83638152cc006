#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# -b HOSTSRC:GUESTDST: SRC is a host path; reads and writes go through to
# the host; neither ../ nor symlinks inside SRC lead out of SRC.
. "$(dirname "$0")/lib/common.sh"
require

share=$TMP/share
secret=$TMP/secret
mkdir -p "$share/sub" "$secret"
echo "from the host" >"$share/in.txt"
echo HOSTSECRET >"$secret/s.txt"
ln -s "$secret/s.txt" "$share/abs-link"        # absolute host path
ln -s ../secret/s.txt "$share/rel-link"        # relative, leaves SRC
ln -s ../../../../../../.. "$share/up-link"    # far up
ln -s / "$share/root-link"
ln -s in.txt "$share/ok-link"                  # stays inside: must work
chmod -R a+rwX "$share"

kb_bind() { kbo "$TMP/out" -0 -r "$IMG" -b "$share:/mnt" -- /bin/sh -c "$1"; }

kb_bind 'cat /mnt/in.txt; cat /mnt/ok-link'
expect_status 0 $? "read through the bind"
expect_grep '^from the host$' "$TMP/out" "host file visible at /mnt"
[ "$(grep -c '^from the host$' "$TMP/out")" = 2 ] && pass "in-bind symlink works" || fail "symlink inside the bind"

kb_bind 'echo "from the guest" >/mnt/out.txt && mkdir /mnt/newdir && echo x >/mnt/sub/y && rm /mnt/in.txt'
expect_status 0 $? "write through the bind"
[ "$(cat "$share/out.txt" 2>/dev/null)" = "from the guest" ] && pass "guest write landed on the host" || fail "$share/out.txt missing on the host"
[ -d "$share/newdir" ] && pass "mkdir landed on the host" || fail "mkdir through the bind"
[ -f "$share/sub/y" ] && pass "write in a subdirectory" || fail "write in /mnt/sub"
[ -e "$share/in.txt" ] && fail "rm through the bind did not remove the host file" || pass "rm through the bind"
img_has "$IMG" /mnt/out.txt && fail "bind write went into the image" || pass "image's /mnt untouched"

for l in abs-link rel-link up-link/$secret/s.txt root-link/$secret/s.txt; do
	kb_bind "cat /mnt/$l"
	expect_no_grep HOSTSECRET "$TMP/out" "symlink /mnt/$l does not reach the host secret"
done
kb_bind "cat /mnt/../$secret/s.txt /mnt/../../../../$secret/s.txt /mnt/sub/../../$secret/s.txt"
expect_no_grep HOSTSECRET "$TMP/out" "../ from the bind does not reach the host"
kb_bind 'cat /mnt/../etc/hostname'
expect_grep '^kbox$' "$TMP/out" "/mnt/.. is the image's root"
kb_bind 'ls /mnt/up-link/ /mnt/root-link/'
expect_no_grep "^$(basename "$TMP")\$" "$TMP/out" "listing via symlinks shows no host tree"
# writes through escaping symlinks must not create host files
kb_bind "echo pwned >/mnt/rel-link-new; ln -s ../secret/new /mnt/w; echo pwned >/mnt/w"
[ -e "$secret/new" ] && fail "write through a symlink escaped the bind" || pass "write via escaping symlink stayed inside"
[ "$(cat "$secret/s.txt")" = HOSTSECRET ] && pass "host secret unchanged" || fail "host secret modified"

# the bind source is a host path, not looked up inside the image (#56)
kbo "$TMP/out" -0 -r "$IMG" -b "/etc:/mnt" -- /bin/cat /mnt/hostname
got=$(cat "$TMP/out")
want=$(cat /etc/hostname 2>/dev/null)
if [ -n "$want" ] && [ "$want" != kbox ]; then
	[ "$got" = "$want" ] && pass "-b /etc:/mnt shows the host's /etc" || fail "-b /etc:/mnt gave '$got', host has '$want'"
fi
done_test
