#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The persistent content cache: programs and libraries copied out of the
# image (and programs as exec runs them) are kept in $KBOX_CONTENT_CACHE
# for later runs, which use them
# (hits); a file whose bytes changed in the image without any metadata
# change (patched in place on the host) is noticed and read afresh; an
# unusable cache directory or KBOX_CONTENT_CACHE=off just runs uncached.
. "$(dirname "$0")/lib/common.sh"
require
require_cmd debugfs

export KBOX_CONTENT_CACHE=$TMP/cc
# "N hits, N misses, N stored, N rejected"
field() { sed -n 's/^kbox: content cache: \([0-9]*\) hits, \([0-9]*\) misses, \([0-9]*\) stored, \([0-9]*\) rejected$/\1 \2 \3 \4/p' "$1" | tail -1; }

kbo "$TMP/run1" --verbose -r "$IMG" -- /bin/true
expect_status 0 $? "first run"
read -r h1 _ s1 _ <<<"$(field "$TMP/run1")"
if [ "${s1:-0}" -gt 0 ] && ls "$KBOX_CONTENT_CACHE"/*/* >/dev/null 2>&1; then
	pass "the first run stores what it copied out of the image ($s1 files)"
else
	fail "the first run stores what it copied out of the image" "$TMP/run1"
fi

# a dynamic program is also kept as exec runs it (PT_INTERP patched)
if ls "$KBOX_CONTENT_CACHE"/*/*-t[0-9]* >/dev/null 2>&1; then
	pass "the patched exec image of /bin/true is stored too"
else
	fail "the patched exec image of /bin/true is stored too: $(ls "$KBOX_CONTENT_CACHE"/*/ | head -5)"
fi

kbo "$TMP/run2" --verbose -r "$IMG" -- /bin/true
expect_status 0 $? "second run"
# --verbose also times each start-up and teardown step
for step in "kernel booted, image mounted" "guest started" "guest exited" \
	"synced, unmounted, halted"; do
	expect_grep "^kbox: +[0-9]+\.[0-9]+ ms $step\$" "$TMP/run2" "--verbose times '$step'"
done
read -r h2 _ s2 _ <<<"$(field "$TMP/run2")"
if [ "${h2:-0}" -gt 0 ] && [ "${s2:-1}" -eq 0 ]; then
	pass "the second run uses the stored copies ($h2 hits, nothing new stored)"
else
	fail "the second run uses the stored copies" "$TMP/run2"
fi

# A program whose bytes change in place: same inode, size and times.
# /bin/true and /bin/false are the same size in coreutils; the copy of
# true is overwritten block by block with false, behind lx's back.
kbo "$TMP/run3" --verbose -r "$IMG" -- /bin/sh -c 'cp /bin/true /root/prog && /root/prog && echo st=$?'
expect_grep '^st=0$' "$TMP/run3" "a copy of true written and run in the image"
kbo "$TMP/run4" -r "$IMG" -- /bin/sh -c '/root/prog; echo st=$?'
expect_grep '^st=0$' "$TMP/run4" "runs again from the cache"
img_cat "$IMG" /bin/false >"$TMP/false"
bsz=$(debugfs -R "stats" "$IMG" 2>/dev/null | sed -n 's/^Block size: *//p')
size=$(stat -c %s "$TMP/false")
psize=$(debugfs -R "stat /root/prog" "$IMG" 2>/dev/null | sed -n 's/.*Group: .*Size: \([0-9]*\)$/\1/p')
if ! [[ $bsz =~ ^[0-9]+$ ]] || [ "$size" != "$psize" ]; then
	fail "true and false of the same size ($size, $psize), block size known ($bsz)"
	done_test
fi
for ((i = 0; i * bsz < size; i++)); do
	blk=$(debugfs -R "bmap /root/prog $i" "$IMG" 2>/dev/null | tail -1)
	[[ $blk =~ ^[0-9]+$ && $blk -gt 0 ]] || { fail "block $i of /root/prog ('$blk')"; done_test; }
	dd if="$TMP/false" of="$IMG" bs="$bsz" skip="$i" seek="$blk" count=1 conv=notrunc status=none
done
kbo "$TMP/run5" --verbose -r "$IMG" -- /bin/sh -c '/root/prog; echo st=$?'
expect_grep '^st=1$' "$TMP/run5" "content changed under unchanged metadata is noticed"
read -r _ _ _ rej <<<"$(field "$TMP/run5")"
if [ "${rej:-0}" -ge 1 ]; then
	pass "the stale cache entry was rejected ($rej)"
else
	fail "the stale cache entry was rejected" "$TMP/run5"
fi
kbo "$TMP/run6" -r "$IMG" -- /bin/sh -c '/root/prog; echo st=$?'
expect_grep '^st=1$' "$TMP/run6" "and replaced by the new content"

# Unusable or disabled cache: the program still runs.
echo "not a directory" >"$TMP/file"
KBOX_CONTENT_CACHE=$TMP/file/cc kbo "$TMP/run7" -r "$IMG" -- /bin/sh -c 'echo ran'
expect_status 0 $? "an unusable cache directory"
expect_grep '^ran$' "$TMP/run7" "runs without the cache"
KBOX_CONTENT_CACHE=off kbo "$TMP/run8" --verbose -r "$IMG" -- /bin/true
expect_status 0 $? "KBOX_CONTENT_CACHE=off"
if [ "$(field "$TMP/run8")" = "0 0 0 0" ]; then
	pass "KBOX_CONTENT_CACHE=off neither reads nor stores"
else
	fail "KBOX_CONTENT_CACHE=off neither reads nor stores" "$TMP/run8"
fi
done_test
