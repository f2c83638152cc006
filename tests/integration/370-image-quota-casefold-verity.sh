#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A user's own image made with ext4 features lx had compiled out: -O
# quota (also with user, group and project quotas) and -O project were
# refused ("The kernel was not built with CONFIG_QUOTA and CONFIG_QFMT_V2"),
# -O casefold too ("cannot be mounted without CONFIG_UNICODE"), and on
# -O verity a file's fs-verity could not be enabled (nor a verity file
# made elsewhere opened). Each image now mounts; the guest writes,
# renames, deletes, sets an xattr and ACLs (image-ops), looks names up in
# another case in a chattr +F directory, enables and measures fs-verity;
# after kbox e2fsck -fn is clean (quota usage included) and debugfs shows
# the guest's data.
. "$(dirname "$0")/lib/common.sh"
require_kbox
require_cmd mke2fs e2fsck debugfs
ops=$BUILD/guest/image-ops
[ -x "$ops" ] || skip "$ops not built (make guest-tests)"
mkdir -p "$TMP/stage/opt" || fail "stage"
cp "$ops" "$TMP/stage/opt/" || fail "stage"

# mkimg NAME MKE2FS-ARGS...: a 16 MiB image of the staged tree
mkimg() {
	local name=$1
	shift
	mke2fs -q -F -t ext4 -b 4096 "$@" -d "$TMP/stage" "$TMP/$name.img" 16M ||
		{ fail "$name: mke2fs $*"; return 1; }
	# mke2fs -d leaves quota usage it did not count (e2fsprogs 1.47):
	# fixed first, so that e2fsck after kbox judges kbox's writes only
	e2fsck -fy "$TMP/$name.img" >/dev/null 2>&1
	e2fsck -fn "$TMP/$name.img" >/dev/null 2>&1 || fail "$name: not clean before kbox"
}

# after NAME: e2fsck -fn clean, and the guest's data in the image
after() {
	local img=$TMP/$1.img
	check "$1: e2fsck -fn clean after kbox" sh -c "e2fsck -fn '$img' >'$TMP/$1.fsck' 2>&1" ||
		sed 's/^/    | /' "$TMP/$1.fsck"
}

ops_run() { # NAME: image-ops /d in it; the file data, xattr and ACL seen
	local name=$1 img=$TMP/$1.img
	kbo "$TMP/$name.out" -r "$img" -- /opt/image-ops /d
	expect_status 0 $? "$name: guest's writes, renames, xattrs, ACLs"
	grep -v '^ok' "$TMP/$name.out" | sed 's/^/    | /'
	after "$name"
	check "$name: debugfs reads /d/keep" test "$(img_cat "$img" /d/keep)" = kbox-image-ops
	check "$name: /d/renamed there, /d/gone not" sh -c \
		"debugfs -R 'ls /d' '$img' 2>/dev/null | grep -q renamed && ! debugfs -R 'ls /d' '$img' 2>/dev/null | grep -q gone"
	check "$name: user.kbox and the ACL in the image" sh -c \
		"debugfs -R 'ea_list /d/keep' '$img' 2>/dev/null | grep -q 'user.kbox' &&
		 debugfs -R 'ea_list /d/keep' '$img' 2>/dev/null | grep -q 'posix_acl_access'"
}

mkimg quota -O quota && ops_run quota
mkimg quota3 -I 256 -O quota,project -E quotatype=usrquota:grpquota:prjquota && {
	ops_run quota3
	check "quota3: the guest's blocks counted for root" sh -c \
		"debugfs -R 'lq user' '$TMP/quota3.img' 2>/dev/null | awk '\$1 == 0 && \$2 > 262144 {f=1} END {exit !f}'"
}
mkimg project -I 256 -O project && ops_run project

if mkimg casefold -O casefold -E encoding=utf8; then
	kbo "$TMP/cf.out" -r "$TMP/casefold.img" -- /opt/image-ops -F /cf
	expect_status 0 $? "casefold: chattr +F, lookups in another case"
	grep -v '^ok' "$TMP/cf.out" | sed 's/^/    | /'
	after casefold
	check "casefold: the name as made, renamed" sh -c \
		"debugfs -R 'ls /cf' '$TMP/casefold.img' 2>/dev/null | grep -q 'Renamed.txt'"
	check "casefold: /cf has the casefold flag" sh -c \
		"debugfs -R 'stat /cf' '$TMP/casefold.img' 2>/dev/null | grep -Eq 'Flags: 0x4[0-9a-f]{7}'"
fi

if mkimg verity -O verity; then
	kbo "$TMP/v.out" -r "$TMP/verity.img" -- /opt/image-ops -V /v
	expect_status 0 $? "verity: enable, measure, read back"
	grep -v '^ok' "$TMP/v.out" | sed 's/^/    | /'
	after verity
	check "verity: /v has the verity flag (0x100000)" sh -c \
		"debugfs -R 'stat /v' '$TMP/verity.img' 2>/dev/null | grep -Eq 'Flags: 0x[0-9a-f]*1[0-9a-f]{5}\\b'"
	# the fs-verity digest of image-ops' data (20000 bytes, i*7), salt
	# "salt", 4096-byte blocks, as the fs-verity documentation defines it
	if command -v python3 >/dev/null; then
		want=$(python3 -c '
import hashlib, struct
data = bytes((i * 7) & 0xff for i in range(20000))
salt, bs = b"salt", 4096
pad = salt + bytes(64 - len(salt))
h = lambda b: hashlib.sha256(pad + b).digest()
lvl = b"".join(h(data[i:i + bs].ljust(bs, b"\0")) for i in range(0, len(data), bs))
while len(lvl) > bs:
    lvl = b"".join(h(lvl[i:i + bs].ljust(bs, b"\0")) for i in range(0, len(lvl), bs))
d = struct.pack("<BBBBIQ", 1, 1, 12, len(salt), 0, len(data))
d += h(lvl.ljust(bs, b"\0")).ljust(64, b"\0") + salt.ljust(32, b"\0") + bytes(144)
print(hashlib.sha256(d).hexdigest())')
		expect_grep "^digest $want\$" "$TMP/v.out" "verity: the digest fs-verity defines"
	fi
	# a later run opens the verity file: the same digest, the data read
	kbo "$TMP/v2.out" -r "$TMP/verity.img" -- /opt/image-ops -V /v
	expect_status 0 $? "verity: a later run measures and reads /v"
	check "verity: the same digest in both runs" sh -c \
		"grep '^digest ' '$TMP/v.out' >'$TMP/d1' && grep '^digest ' '$TMP/v2.out' | cmp -s - '$TMP/d1'"
fi
done_test
