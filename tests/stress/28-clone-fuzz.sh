#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/clone-fuzz, a differential fuzzer for the task state clone
# shares or copies (cwd, root, umask, fd table, signal handlers, a
# thread's ids) and for exec from a thread and the leader's exit: for
# fixed seeds it runs natively (as nobody when run as root), then in the
# box with its tree in the image (/var/tmp), in lx's tmpfs (/tmp) and in a
# bind, as the same kind of user (--change-id); as guest root in the
# three places (compared with each other, id changes included); and, where
# `unshare -r` works, as guest root without id changes against a native
# run as root of a user namespace. Every trace must equal its reference.
# Known kbox gaps are left out by the fuzzer's flags (see its header).
# CLONE_FUZZ_SEEDS, CLONE_FUZZ_NOPS to try others.
. "$(dirname "$0")/../integration/lib/common.sh"
require
fz=$BUILD/guest/clone-fuzz
[ -x "$fz" ] || skip "no $fz (make guest-tests)"
SEEDS=${CLONE_FUZZ_SEEDS:-1 2 3 5}
NOPS=${CLONE_FUZZ_NOPS:-40}
SEEDS=$(echo $SEEDS) # one line for the guest script
GAPS="CLONE_FUZZ_NOTHREADFILES=1"
BGAPS="$GAPS CLONE_FUZZ_BIND=1" # in a bind (and its references)
native_runner "$fz"
b=$TMP/bind
mkdir -p "$b" && chmod 777 "$b"
for s in $SEEDS; do
	native_trace "$TMP/n-$s" "$s" env $GAPS "$fz" "$nat/$s" "$s" "$NOPS"
	native_trace "$TMP/nb-$s" "$s" env $BGAPS "$fz" "$nat/$s" "$s" "$NOPS"
done
# Places: NAME:DIR[:bind]; vb (root only) is root's reference for b.
script='run() { rm -rf "$2"; mkdir -p "$2" && env $1 /opt/kbox-tests/clone-fuzz "$2" "$3" "$4"; chmod -R u+rwX "$2"; rm -rf "$2"; }
for s in '"$SEEDS"'; do
	for p in $PLACES; do
		n=${p%%:*} w=${p#*:} g="'"$GAPS"'"
		case $w in *:bind) w=${w%:bind} g="'"$BGAPS"'" ;; esac
		echo "==== $s $n"; run "$g" $w/cf-$s $s '"$NOPS"'
	done
done'
PLACES="v:/var/tmp t:/tmp b:/mnt/b:bind"
KB_TIMEOUT=120 kbo "$TMP/u.all" -b "$b:/mnt/b" --change-id $uid:$gid -R "$IMG" -- /bin/sh -c "PLACES='$PLACES'; $script"
expect_status 0 $? "clone-fuzz under kbox as $uid"
PLACES="$PLACES vb:/var/tmp:bind"
KB_TIMEOUT=120 kbo "$TMP/r.all" -b "$b:/mnt/b" -S "$IMG" -- /bin/sh -c "PLACES='$PLACES'; $script"
expect_status 0 $? "clone-fuzz under kbox as guest root"
split_traces u r
for s in $SEEDS; do
	for w in v t b vb; do
		for who in u r; do
			ref=$TMP/n-$s
			[ $w = b ] && ref=$TMP/nb-$s
			[ $who = r ] && ref=$TMP/r-$s-v
			[ "$who-$w" = r-b ] && ref=$TMP/r-$s-vb
			[ "$who-$w" = r-v ] || [ "$who-$w" = r-vb ] || [ "$who-$w" = u-vb ] && continue
			same_trace "$ref" "$TMP/$who-$s-$w" "seed $s: $who $w as $(basename "$ref")"
		done
	done
done
# Guest root against native root of a user namespace (one id mapped, so
# without the id changes).
if [ "$(id -u)" = 0 ] && unshare -r true 2>/dev/null; then
	RSEEDS="2 6"
	for s in $RSEEDS; do
		mkdir "$nat/r$s"
		(cd "$nat/r$s" && timeout 20 unshare -r env $GAPS CLONE_FUZZ_NOIDS=1 "$fz" "$nat/r$s" "$s" "$NOPS") \
			>"$TMP/nr-$s" 2>&1 || fail "seed $s: native root run failed"
	done
	KB_TIMEOUT=60 kbo "$TMP/i.all" -S "$IMG" -- /bin/sh -c "export $GAPS CLONE_FUZZ_NOIDS=1
for s in $RSEEDS; do echo \"==== \$s\"; rm -rf /var/tmp/ci; mkdir /var/tmp/ci; /opt/kbox-tests/clone-fuzz /var/tmp/ci \$s $NOPS; done"
	expect_status 0 $? "clone-fuzz under kbox as guest root, no id changes"
	awk -v d="$TMP" '/^==== /{f=d "/i-" $2; next} {print > f}' "$TMP/i.all"
	for s in $RSEEDS; do
		same_trace "$TMP/nr-$s" "$TMP/i-$s" "seed $s: root (no id changes) as native root of a user namespace"
	done
fi
[ "$FAILS" -eq 0 ] && echo PASS || echo FAIL
done_test
