#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/path-fuzz, a differential fuzzer for path resolution: a
# seeded tree of files, directories, relative, absolute, dangling and
# looping symlinks, a chain near the 40-link limit, a magic link, names
# of 255 bytes, a second tree elsewhere with links between the two, and
# random calls (openat and openat2 with RESOLVE_* flags, fstatat, statx,
# readlinkat, linkat, symlinkat, mkdirat, unlinkat, renameat2,
# faccessat2, fchownat, utimensat, chdir, fchdir) on paths of ".", "..",
# "//", trailing "/" and "/.", absolute prefixes, paths padded to
# PATH_MAX, from the cwd, a directory, an O_PATH fd, a file, a removed
# directory. For fixed seeds it runs natively (as nobody when run as
# root), then in the box with the tree in the image (/var/tmp, the second
# tree in a bind), lx's tmpfs (/tmp, the second in the image) and a bind
# (/mnt/b, the second in the image), as a user (--change-id) and as guest
# root; every trace must equal the native one (-m and -k mask kbox's
# known gaps, listed in the program). It found (297, 298): openat2 with
# RESOLVE_NO_XDEV or NO_MAGICLINKS from a bind's dirfd read host files
# outside the bind; RESOLVE_IN_ROOT and BENEATH lost their scope across
# the image and a bind; symlinkat through a link into a bind was EXDEV;
# trailing "/" lost leaving a bind by "..", or through an absolute link;
# /proc/self/cwd in a bind was lx's cwd; linkat of an O_TMPFILE in a
# bind and faccessat2 AT_SYMLINK_NOFOLLOW of a link there failed. Since
# the twenty-ninth session (306, 307) -k no longer masks a removed directory's fd and cwd or
# renames of the cwd in a bind: kbox kept the cwd by its text.
# PATH_FUZZ_SEEDS, PATH_FUZZ_NOPS.
. "$(dirname "$0")/../integration/lib/common.sh"
require
fz=$BUILD/guest/path-fuzz
[ -x "$fz" ] || skip "no $fz (make guest-tests)"
SEEDS=${PATH_FUZZ_SEEDS:-$(seq 1 24)}
NOPS=${PATH_FUZZ_NOPS:-400}
SEEDS=$(echo $SEEDS) # one line for the guest script
native_runner "$fz"
b=$TMP/bind
mkdir -p "$b" && chmod 777 "$b"
# -m: the image-side masks, -k: a bind's too (the program says which)
for s in $SEEDS; do
	native_trace "$TMP/n-$s" "$s" "$fz" "$nat/$s/a" "$nat/$s/o" "$s" "$NOPS" -m
	native_trace "$TMP/nk-$s" "$s" "$fz" "$nat/$s/a" "$nat/$s/o" "$s" "$NOPS" -k
done
script='run() { rm -rf "$1" "$2"; /opt/kbox-tests/path-fuzz "$1" "$2" "$3" '"$NOPS"' $4; cd /; rm -rf "$1" "$2"; }
for s in '"$SEEDS"'; do
	echo "==== $s /var/tmp"; run /var/tmp/pz-$s /mnt/b/po-$s $s -m
	echo "==== $s /tmp"; run /tmp/pz-$s /var/tmp/po-$s $s -m
	echo "==== $s /mnt/b"; run /mnt/b/pz-$s /var/tmp/po-$s $s -k
done'
KB_TIMEOUT=150 kbo "$TMP/u.all" -b "$b:/mnt/b" --change-id $uid:$gid -R "$IMG" -- /bin/sh -c "$script"
expect_status 0 $? "path-fuzz under kbox as $uid"
KB_TIMEOUT=150 kbo "$TMP/r.all" -b "$b:/mnt/b" -S "$IMG" -- /bin/sh -c "$script"
expect_status 0 $? "path-fuzz under kbox as guest root"
split_traces u r
for s in $SEEDS; do
	grep -q '^path-fuzz: done$' "$TMP/n-$s" || fail "seed $s: no native trace"
	for w in v t b; do
		n=n
		[ $w = b ] && n=nk
		for who in u r; do
			same_trace "$TMP/$n-$s" "$TMP/$who-$s-$w" "seed $s: $who $w as native"
		done
	done
done
[ "$FAILS" -eq 0 ] && echo PASS || echo FAIL
done_test
