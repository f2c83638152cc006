#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Bad input: one clear message, non-zero exit, no crash, no hang, image
# untouched or cleanly unmounted.
. "$(dirname "$0")/lib/common.sh"
require
require_cmd e2fsck

# bad CASE WANT_STATUS PATTERN KBOX-ARGS...
#   WANT_STATUS: a number, or "nz" for any non-zero non-crash status
bad() {
	local what=$1 want=$2 pat=$3 st lines
	shift 3
	kbo "$TMP/bad.out" "$@"
	st=$?
	lines=$(grep -c . "$TMP/bad.out")
	echo "  [$what] status $st: $(head -c 300 "$TMP/bad.out" | head -3 | tr '\n' '|')"
	if [ "$want" = nz ]; then
		[ "$st" -ne 0 ] && pass "$what: non-zero exit ($st)" || fail "$what: exit 0"
	else
		expect_status "$want" "$st" "$what"
	fi
	not_crashed "$st" "$what"
	if [ "$lines" -ge 1 ] && [ "$lines" -le 3 ]; then
		pass "$what: short message ($lines lines)"
	else
		fail "$what: want a one-line message, got $lines lines"
		sed 's/^/    | /' "$TMP/bad.out" | head -10
	fi
	[ -n "$pat" ] && expect_grep "$pat" "$TMP/bad.out" "$what: message mentions /$pat/"
	ls "$TMP"/core* "$KBOX_ROOT"/core* >/dev/null 2>&1 && fail "$what: core file left behind"
	return 0
}

bad "missing image" nz "$TMP/nope.ext4|No such file" -r "$TMP/nope.ext4" -- /bin/true
bad "image is a directory" nz "" -r "$TMP" -- /bin/true
# a FIFO with no writer: refused at once, not a read-only open that waits
# (kbox blocks SIGINT that early, so Ctrl-C would not end the wait)
mkfifo "$TMP/fifo.img"
bad "image is a FIFO (read-only)" nz "not a regular file" -m ro -r "$TMP/fifo.img" -- /bin/true
bad "image is a FIFO" nz "not a regular file" -r "$TMP/fifo.img" -- /bin/true

head -c 16M /dev/urandom >"$TMP/random.img"
bad "not an ext4 image (random bytes)" nz "" -r "$TMP/random.img" -- /bin/true
truncate -s 16M "$TMP/zero.img"
bad "not an ext4 image (zeroes)" nz "" -r "$TMP/zero.img" -- /bin/true
: >"$TMP/empty.img"
bad "empty image file" nz "" -r "$TMP/empty.img" -- /bin/true
if command -v mkfs.vfat >/dev/null 2>&1 || command -v mkfs.fat >/dev/null 2>&1; then
	truncate -s 16M "$TMP/vfat.img"
	{ mkfs.vfat "$TMP/vfat.img" || mkfs.fat "$TMP/vfat.img"; } >/dev/null 2>&1
	bad "vfat image" nz "" -r "$TMP/vfat.img" -- /bin/true
fi

# the file system's own reason, not a guess at corruption
bad "unknown mount option" nz "Unknown parameter 'frob'" -m frob -r "$IMG" -- /bin/true
bad "bad mount option value" nz "Bad value for 'data'" -m data=bogus -r "$IMG" -- /bin/true
bad "file system lx lacks" nz "lx has no xfs file system" -t xfs -r "$IMG" -- /bin/true
expect_no_grep 'corrupt' "$TMP/bad.out" "a file system lx lacks is not called corrupt"
bad "file system without a disk" nz "tmpfs is not a disk file system" -t tmpfs -r "$IMG" -- /bin/true

# a bind of the other kind than its place, refused as mount(2) refuses it
echo note >"$TMP/afile"
bad "directory bound over a file" nz "cannot cover the image's file" -b "$TMP:/etc/passwd" -r "$IMG" -- /bin/true
bad "file bound over a directory" nz "cannot cover the image's directory" -b "$TMP/afile:/etc" -r "$IMG" -- /bin/true
e2fsck -fn "$IMG" >"$TMP/fsck.out" 2>&1 && pass "refused binds: image clean" || fail "refused binds: image not clean"

# corrupt: valid superblock, garbage group descriptors and inode tables
cimg=$(own_img .corrupt)
dd if=/dev/urandom of="$cimg" bs=4096 seek=1 count=64 conv=notrunc status=none
bad "corrupt image (group descriptors)" nz "" -r "$cimg" -- /bin/true
cimg2=$(own_img .corrupt2)
bs=$(dumpe2fs -h "$cimg2" 2>/dev/null | sed -n 's/^Block size: *//p')
itab=$(dumpe2fs "$cimg2" 2>/dev/null | sed -n 's/.*Inode table at \([0-9]*\)-.*/\1/p' | head -1)
if [ -n "$bs" ] && [ -n "$itab" ]; then
	dd if=/dev/urandom of="$cimg2" bs="$bs" seek="$itab" count=32 conv=notrunc status=none
	kbo "$TMP/c2.out" -r "$cimg2" -- /bin/ls /
	st=$?
	not_crashed "$st" "corrupt inode table: kbox does not crash (status $st)"
fi

if [ "$(id -u)" -ne 0 ]; then
	cp --sparse=always "$IMG" "$TMP/unreadable.img"
	chmod 000 "$TMP/unreadable.img"
	bad "unreadable image" nz "ermission" -r "$TMP/unreadable.img" -- /bin/true
	expect_no_grep 'use -m ro' "$TMP/bad.out" "unreadable image: -m ro is not suggested"
elif command -v setpriv >/dev/null 2>&1; then
	d=$(mktemp -d /tmp/kbox-unreadable.XXXXXX)
	cp --sparse=always "$IMG" "$d/img"
	chmod 000 "$d/img"
	chmod 755 "$d"
	kbox_abs=$(cd "$(dirname "$KBOX")" && pwd)/$(basename "$KBOX")
	timeout 30 setpriv --reuid=65534 --regid=65534 --clear-groups "$kbox_abs" -r "$d/img" -- /bin/true >"$TMP/unr.out" 2>&1
	st=$?
	[ "$st" -ne 0 ] && pass "unreadable image: non-zero ($st)" || fail "unreadable image: exit 0"
	not_crashed "$st" "unreadable image"
	expect_grep 'ermission|EACCES' "$TMP/unr.out" "unreadable image: says permission denied"
	# -m ro is suggested only where it helps: a readable, unwritable image
	expect_no_grep 'use -m ro' "$TMP/unr.out" "unreadable image: -m ro is not suggested"
	chmod 444 "$d/img"
	timeout 30 setpriv --reuid=65534 --regid=65534 --clear-groups "$kbox_abs" -r "$d/img" -- /bin/true >"$TMP/ro.out" 2>&1
	expect_grep 'use -m ro' "$TMP/ro.out" "read-only image: -m ro is suggested"
	rm -rf "$d"
fi

bad "unknown option" nz "unknown|unrecognized|invalid" --no-such-option -r "$IMG" -- /bin/true
bad "no command" nz "" -r "$IMG"
bad "no image" nz "" -- /bin/true
bad "bind with empty source" nz "" -r "$IMG" -b ":/mnt" -- /bin/true
bad "bind of a missing host path" nz "" -r "$IMG" -b "$TMP/missing:/mnt" -- /bin/true
bad "bind with empty destination" nz "" -r "$IMG" -b "$TMP:" -- /bin/true
bad "bad --change-id" nz "" --change-id abc -r "$IMG" -- /bin/true
bad "bad --mount-profile" nz "" --mount-profile bogus -r "$IMG" -- /bin/true
bad "unsupported --syscall-mode" nz "" --syscall-mode bogus -r "$IMG" -- /bin/true

bad "missing command" 127 "not found|No such file" -r "$IMG" -- /no/such/cmd
bad "missing command in PATH" 127 "not found|No such file" -r "$IMG" -- no-such-cmd-kbox
bad "non-executable file" 126 "ermission" -r "$IMG" -- /etc/passwd
bad "directory as command" 126 "" -r "$IMG" -- /etc

e2fsck -fn "$IMG" >"$TMP/fsck" 2>&1 && pass "image clean after all bad runs" || { fail "image not clean"; tail -5 "$TMP/fsck"; }
kbo "$TMP/out" -h
expect_status 0 $? "-h exits 0"
expect_grep 'bind' "$TMP/out" "-h lists the options"
kbo "$TMP/out" --version
expect_status 0 $? "--version exits 0"
done_test
