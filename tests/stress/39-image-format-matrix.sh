#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Bring-your-own-image matrix: images made rootless with mke2fs -d across
# ext2/ext3/ext4, block sizes 1024/2048/4096, inode sizes 128/256, and
# ext4 with features off or on (docs/supervisor.md, "Images"). For each,
# the guest writes, renames, deletes, sets an xattr and ACLs
# (image-ops); after kbox, e2fsck -fn is clean and debugfs reads the
# guest's data. Also -t with each type, a wrong -t (one line, ext4's own
# reason), and a journal replay: kbox killed (SIGKILL) while the guest
# writes, the next run replays the journal and the image is clean.
. "$(dirname "$0")/../integration/lib/common.sh"
require_kbox
require_cmd mke2fs e2fsck debugfs dumpe2fs
ops=$BUILD/guest/image-ops
[ -x "$ops" ] || skip "$ops not built (make guest-tests)"
mkdir -p "$TMP/stage/opt" || fail "stage"
cp "$ops" "$TMP/stage/opt/" || fail "stage"
n=0

# one NAME "MKE2FS ARGS" ["KBOX ARGS"]
one() {
	local name=$1 img=$TMP/m.img
	# shellcheck disable=SC2086 # word lists on purpose
	if ! mke2fs -q -F $2 -d "$TMP/stage" "$img" 16M >"$TMP/mk.out" 2>&1; then
		fail "$name: mke2fs $2: $(tail -n1 "$TMP/mk.out")"
		return
	fi
	e2fsck -fy "$img" >/dev/null 2>&1 # quota usage mke2fs -d leaves
	# shellcheck disable=SC2086
	kbo "$TMP/o.out" ${3:-} -r "$img" -- /opt/image-ops /d
	local st=$?
	n=$((n + 1))
	if [ "$st" -ne 0 ] || grep -q '^FAIL' "$TMP/o.out"; then
		fail "$name: guest status $st"
		grep -v '^ok' "$TMP/o.out" | sed 's/^/    | /'
		return
	fi
	e2fsck -fn "$img" >"$TMP/fsck.out" 2>&1 ||
		{ fail "$name: e2fsck -fn not clean"; sed 's/^/    | /' "$TMP/fsck.out" | tail -8; }
	# (debugfs 1.47 cats an inline_data file's whole 60 bytes: NULs cut)
	[ "$(img_cat "$img" /d/keep | tr -d '\0')" = kbox-image-ops ] ||
		fail "$name: debugfs does not read /d/keep"
	if ! img_has "$img" /d/renamed || img_has "$img" /d/gone; then
		fail "$name: rename/unlink not in the image"
	fi
	debugfs -R 'ea_list /d/keep' "$img" 2>/dev/null | grep -q user.kbox ||
		fail "$name: user.kbox not in the image"
}

for t in ext2 ext3 ext4; do
	for b in 1024 2048 4096; do
		for i in 128 256; do
			one "$t b$b i$i" "-t $t -b $b -I $i"
		done
	done
	one "$t with -t $t" "-t $t" "-t $t"
done
for f in ^metadata_csum ^64bit ^has_journal ^flex_bg ^dir_index ^extent,^64bit \
	inline_data large_dir ea_inode huge_file verity encrypt quota project \
	metadata_csum_seed orphan_file fast_commit mmp stable_inodes sparse_super2 \
	meta_bg,^resize_inode ^metadata_csum,uninit_bg; do
	one "ext4 -O $f" "-t ext4 -I 256 -O $f"
done
one "ext4 bigalloc -C 16k" "-t ext4 -O bigalloc -C 16384"
one "ext4 casefold" "-t ext4 -O casefold -E encoding=utf8"
one "ext4 usr/grp/prj quota" "-t ext4 -I 256 -O quota,project -E quotatype=usrquota:grpquota:prjquota"
one "ext4 lazy init" "-t ext4 -E lazy_itable_init=1,lazy_journal_init=1"
one "ext4 1 MiB journal" "-t ext4 -J size=1"
one "ext4 4 MiB journal" "-t ext4 -J size=4"
one "ext4 -m data=journal" "-t ext4" "-m data=journal"
one "ext3 -m data=writeback" "-t ext3" "-m data=writeback"
echo "ok: $n images written by the guest"

# A wrong -t: ext4's reason in one line, status 1, the image untouched.
mke2fs -q -F -t ext4 -d "$TMP/stage" "$TMP/w.img" 16M
sum=$(md5sum <"$TMP/w.img")
for t in ext2 ext3; do
	kbo "$TMP/t.out" -t $t -r "$TMP/w.img" -- /opt/image-ops /d
	expect_status 1 $? "ext4 image with -t $t"
	expect_grep "^kbox: cannot mount image '.*w.img' as $t: Invalid argument \(EXT4-fs \(lxda\): couldn't mount as $t due to feature incompatibilities\)$" \
		"$TMP/t.out" "-t $t: ext4's reason"
	check "-t $t: just that line" test "$(wc -l <"$TMP/t.out")" -eq 1
done
check "wrong -t left the image untouched" test "$(md5sum <"$TMP/w.img")" = "$sum"

# Journal replay after kbox is killed while the guest writes.
require_img
r=$(own_img .rec)
# kbox itself is killed (not a timeout wrapper: kbox would run on)
# shellcheck disable=SC2016 # for the guest's shell
"$KBOX" -S "$r" -- /bin/sh -c '
	i=0; while :; do i=$((i + 1)); echo $i >/f$((i % 40)); mkdir -p /dd$((i % 9))
	[ $i = 200 ] && sync && echo SYNCED; done' >"$TMP/k.out" 2>&1 </dev/null &
kp=$!
for _ in $(seq 1 300); do grep -q SYNCED "$TMP/k.out" && break; sleep 0.1; done
grep -q SYNCED "$TMP/k.out" || fail "the writer did not start"
sleep 1
kill -KILL "$kp"
wait "$kp" 2>/dev/null
if dumpe2fs -h "$r" 2>/dev/null | grep -q needs_recovery; then
	pass "killed mid-run: the journal needs recovery"
	kbo "$TMP/r.out" -S "$r" -- /bin/cat /f1
	expect_status 0 $? "the next run mounts (replaying the journal)"
	sed 's/^/    | /' "$TMP/r.out" | tail -5
	check "replayed: needs_recovery gone" sh -c "! dumpe2fs -h '$r' 2>/dev/null | grep -q needs_recovery"
	check "replayed: e2fsck -fn clean" sh -c "e2fsck -fn '$r' >/dev/null 2>&1"
else
	echo "note: the kill found the journal empty (nothing to replay)"
fi
done_test
