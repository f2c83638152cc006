#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# kbox's private directory in $TMPDIR (exec aliases, socket paths) is
# removed at exit; one left by a killed run is swept by the next run, but
# never one a live run still holds. A dead run's directory whose pid now
# names another process is swept once it is a minute old, and aliases
# two levels down (d<n>/_/<program>) go too (both stayed forever). Guest processes carry their program's
# name on the host (ps), not an alias number.
. "$(dirname "$0")/lib/common.sh"
require
require_cmd ps

tmpd=$TMP/tmpdir
mkdir -p "$tmpd"
dead=$(sh -c 'echo $$')
mkdir -p "$tmpd/kbox-$dead-AbCdEf/d4"
ln -s /proc/self/fd/4 "$tmpd/kbox-$dead-AbCdEf/d4/ls"
touch "$tmpd/kbox-$dead-AbCdEf/s-1-2"
mkdir -p "$tmpd/kbox-$dead-AbCdEf/d5/_"
ln -s /proc/self/fd/5 "$tmpd/kbox-$dead-AbCdEf/d5/_/true"
# pid 1 is alive: a reused pid; the directory is old and unlocked
mkdir -p "$tmpd/kbox-1-GhIjKl/d4/_"
ln -s /proc/self/fd/4 "$tmpd/kbox-1-GhIjKl/d4/_/true"
touch -d '2 minutes ago' "$tmpd/kbox-1-GhIjKl"
mkdir -p "$tmpd/kbox-notours"

# a live run, in the background, holding its directory
TMPDIR=$tmpd "$KBOX" -r "$IMG" -- /bin/sleep 3 </dev/null &
live=$!
for _ in $(seq 50); do
	compgen -G "$tmpd/kbox-$live-*" >/dev/null && break
	sleep 0.1
done
compgen -G "$tmpd/kbox-$live-*" >/dev/null && pass "a running kbox has its directory" ||
	fail "no kbox-$live-* directory while it runs"
comm=$(ps -o comm= --ppid "$live" 2>/dev/null | grep -vx kbox-guard | head -1)
[ "$comm" = sleep ] && pass "the guest is 'sleep' on the host" || fail "guest comm on the host: '$comm'"

img2=$(own_img .2)
TMPDIR=$tmpd kbo "$TMP/out" -r "$img2" -- /bin/true
expect_status 0 $? "a second run"
[ -e "$tmpd/kbox-$dead-AbCdEf" ] && fail "stale directory of a dead run left" ||
	pass "stale directory of a dead run swept"
[ -e "$tmpd/kbox-1-GhIjKl" ] && fail "an old unlocked directory of a reused pid left" ||
	pass "an old unlocked directory of a reused pid swept"
compgen -G "$tmpd/kbox-$live-*" >/dev/null && pass "the live run's directory kept" ||
	fail "the live run's directory was removed"
[ -d "$tmpd/kbox-notours" ] && pass "unrelated kbox-* name left alone" || fail "kbox-notours removed"
wait "$live"
expect_status 0 $? "the live run"
left=$(find "$tmpd" -mindepth 1 -maxdepth 1 -name 'kbox-[0-9]*' | wc -l)
[ "$left" = 0 ] && pass "no private directory left after both runs" ||
	fail "$left private directories left: $(ls "$tmpd")"
done_test
