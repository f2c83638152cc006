# shellcheck shell=bash disable=SC2034 # IMG_ORIG etc. are for the tests
# SPDX-License-Identifier: MIT
# Shared helpers for tests/integration/*.sh and tests/stress/*.sh.
# Source it:  . "$(dirname "$0")/lib/common.sh"   (integration)
#             . "$(dirname "$0")/../integration/lib/common.sh"   (stress)
#
# Environment (tests/lib/runner.sh sets KBOX, KBOX_ROOTFS, KBOX_ROOT,
# TEST_TMP; IMG and BUILD are accepted too; defaults for running by hand):
#   KBOX   path of the kbox binary             (default $KBOX_ROOT/kbox)
#   IMG    rootfs image, never written: tests that write use own_img
#          (default $KBOX_ROOTFS, else $KBOX_ROOT/rootfs.ext4)
#   BUILD  build directory                     (default $KBOX_ROOT/build)
# Exit convention: 0 pass, 77 skip, anything else fail.

set -u
ulimit -S -c 0 2>/dev/null # a crash must show as a status, never as a core file

KBOX_ROOT=${KBOX_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
KBOX=${KBOX:-$KBOX_ROOT/kbox}
IMG=${IMG:-${KBOX_ROOTFS:-$KBOX_ROOT/rootfs.ext4}}
BUILD=${BUILD:-$KBOX_ROOT/build}
PATH=$PATH:/sbin:/usr/sbin
# seconds allowed for one kbox run unless a test says otherwise
KB_TIMEOUT=${KB_TIMEOUT:-60}
TEST_NAME=$(basename "$0" .sh)
FAILS=0

TMP=$(mktemp -d "${TEST_TMP:-${TMPDIR:-/tmp}}/kbox-${TEST_NAME}.XXXXXX") || exit 1
cleanup() {
	chmod -R u+rwX "$TMP" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

skip() {
	echo "SKIP: $TEST_NAME: $*"
	exit 77
}

fail() {
	echo "FAIL: $TEST_NAME: $*"
	FAILS=$((FAILS + 1))
}

pass() {
	echo "ok: $*"
}

# check DESCRIPTION CMD...   runs CMD, pass if it succeeds
check() {
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}

# done_test: exit with the verdict
done_test() {
	if [ "$FAILS" -eq 0 ]; then
		echo "PASS: $TEST_NAME"
		exit 0
	fi
	echo "FAIL: $TEST_NAME ($FAILS failed checks)"
	exit 1
}

require_kbox() {
	[ -x "$KBOX" ] || skip "kbox binary $KBOX not found (build it first)"
}

require_img() {
	[ -f "$IMG" ] || skip "rootfs image $IMG not found (make rootfs)"
}

require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "host command $c missing"
	done
}

# require: kbox and the image exist; then IMG becomes a private copy (kbox
# opens images read-write unless -m ro, so the shared one is never used)
require() {
	require_kbox
	require_img
	IMG_ORIG=$IMG
	IMG=$(own_img .base)
}

# native_runner PROG [EXIT-COMMANDS]: for a differential test's native
# runs: a private directory $nat where "nobody" reaches the trees (the
# test's own directory may sit under one it cannot enter), PROG copied into
# it as $fz, and as_user (a command prefix), uid and gid to run as nobody
# when the test runs as root. The EXIT trap removes $nat, runs
# EXIT-COMMANDS, then cleanup.
native_runner() {
	local name
	name=$(basename "$1")
	nat=$(mktemp -d "/tmp/kbox-$name.XXXXXX") || fail "mktemp"
	# shellcheck disable=SC2064 # $2 now, $nat at exit
	trap "chmod -R u+rwX \"\$nat\" 2>/dev/null; rm -rf \"\$nat\"; ${2:-:}; cleanup" EXIT
	cp "$1" "$nat/$name" && fz=$nat/$name
	chmod 755 "$nat"
	as_user=()
	uid=$(id -u) gid=$(id -g)
	if [ "$uid" = 0 ]; then
		as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
		uid=65534 gid=65534
	fi
}

# native_trace OUT SEED CMD...: run CMD (a fuzzer and its arguments) in
# a fresh $nat/SEED as native_runner's user, its trace in OUT.
native_trace() {
	local out=$1 s=$2
	shift 2
	rm -rf "${nat:?}/$s" && mkdir "$nat/$s" && chown "$uid:$gid" "$nat/$s" ||
		fail "seed $s: cannot make $nat/$s"
	(cd "$nat/$s" && timeout 60 "${as_user[@]}" "$@") >"$out" 2>&1 </dev/null ||
		fail "seed $s: native run failed"
}

# split_traces WHO...: $TMP/WHO.all, the output of a guest script that
# printed "==== SEED PLACE" before each fuzzer run, into one file per run,
# $TMP/WHO-SEED-P (P: v for /var/tmp, t for /tmp, b for /mnt/b, or PLACE
# as it is).
split_traces() {
	local who
	for who in "$@"; do
		awk -v d="$TMP" -v who="$who" '/^==== /{w=$3; sub("/mnt/b", "b", w); sub("/var/tmp", "v", w); sub("^/tmp$", "t", w); f=d "/" who "-" $2 "-" w; next} {print > f}' "$TMP/$who.all"
	done
}

# same_trace REF GOT WHAT: pass WHAT if the two traces are the same, else
# show where they part and fail.
same_trace() {
	if cmp -s "$1" "$2"; then
		pass "$3"
	else
		diff "$1" "$2" | head -10 | sed 's/^/    | /'
		fail "$3: differs"
	fi
}

# PY_ERR: Python lines for guest scripts: imports and err(f, *a), which
# calls f and gives "ok" or the errno's name (ENOENT, EPERM, ...).
PY_ERR='
import errno, os, sys
def err(f, *a):
    try:
        f(*a)
        return "ok"
    except OSError as e:
        return errno.errorcode[e.errno]
'

# own_img: a private writable copy of $IMG; prints its path
# rootless_run_as: sets the array run_as to the prefix that runs a
# command as nobody when the tests run as root (empty otherwise), so
# kbox is rootless; skips without setpriv.
rootless_run_as() {
	run_as=()
	if [ "$(id -u)" -eq 0 ]; then
		command -v setpriv >/dev/null 2>&1 || skip "no setpriv to drop root"
		run_as=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
	fi
}

own_img() {
	local dst
	dst=$(mktemp -u "$TMP/img${1:-}.XXXXXX")
	cp --sparse=always "$IMG" "$dst" || {
		echo "FAIL: $TEST_NAME: cannot copy $IMG" >&2
		exit 1
	}
	echo "$dst"
}

# kb ARGS...: run kbox with a timeout; stdin from /dev/null unless the
# caller redirects. Sets nothing; returns kbox's status (124 on timeout).
kb() {
	timeout -k 5 "$KB_TIMEOUT" "$KBOX" "$@"
}

# kbo OUTFILE ARGS...: run kbox, stdout+stderr to OUTFILE, return status
kbo() {
	local out=$1
	shift
	# KB_WRAP: a command word list kbox runs under (e.g. taskset -c 0)
	# shellcheck disable=SC2086
	timeout -k 5 "$KB_TIMEOUT" ${KB_WRAP:-} "$KBOX" "$@" >"$out" 2>&1 </dev/null
}

# expect_status WANT GOT WHAT
expect_status() {
	if [ "$2" -eq "$1" ]; then
		pass "$3 (status $2)"
	else
		fail "$3: status $2, want $1"
	fi
}

# expect_grep PATTERN FILE WHAT   (extended regex)
expect_grep() {
	if grep -Eq -- "$1" "$2"; then
		pass "$3"
	else
		fail "$3: /$1/ not in output:"
		sed 's/^/    | /' "$2" | head -20
	fi
}

expect_no_grep() {
	if grep -Eq -- "$1" "$2"; then
		fail "$3: /$1/ unexpectedly in output:"
		sed 's/^/    | /' "$2" | head -20
	else
		pass "$3"
	fi
}

# not_crashed STATUS WHAT: killed by a signal (>=128) or timeout is a crash
not_crashed() {
	case $1 in
	124 | 134 | 135 | 136 | 137 | 139)
		fail "$2: status $1 looks like a crash or hang" ;;
	*) pass "$2: no crash (status $1)" ;;
	esac
}

# img_cat IMG PATH: file content from the image via debugfs
img_cat() {
	debugfs -R "cat $2" "$1" 2>/dev/null
}

# img_has IMG PATH: does PATH exist in the image?
img_has() {
	debugfs -R "stat $2" "$1" 2>&1 | grep -q '^Inode:'
}

# run_guest_test "KBOX OPTS ENDING IN -S|-r" NAME [ARGS...]: run
# /opt/kbox-tests/NAME inside a private copy of the image; require status 0,
# no FAIL line and at least one ok line. The image and the output stay in
# GUEST_IMG and GUEST_OUT for further checks.
run_guest_test() {
	local opts=$1 name=$2 img out st
	shift 2
	img=$(own_img)
	out="$TMP/$name.out"
	GUEST_IMG=$img
	GUEST_OUT=$out
	# shellcheck disable=SC2086 # opts is a word list on purpose
	kbo "$out" $opts "$img" -- "/opt/kbox-tests/$name" "$@"
	st=$?
	echo "  [$opts] /opt/kbox-tests/$name $*"
	grep -v '^ok' "$out" | sed 's/^/    | /' | tail -40
	if [ "$st" -eq 127 ]; then
		fail "$name: exit 127: /opt/kbox-tests/$name missing from the image? (make guest-tests rootfs)"
		return
	fi
	expect_status 0 "$st" "guest $name [$opts]"
	expect_no_grep '^FAIL' "$out" "guest $name [$opts] printed no FAIL line"
	expect_grep '^ok' "$out" "guest $name [$opts] printed ok lines"
}

# no_leftovers MARKER...: after kbox exited, no host process whose command
# line contains any MARKER (the private image path, a unique argv[0] given
# to the guest shell) may be left. Lists and reports them; never kills.
no_leftovers() {
	local m left=
	sleep 0.5
	for m in "$@"; do
		left+=$(pgrep -af -- "$m" | grep -v -e "pgrep" -e "$$ " || true)
	done
	if [ -n "$left" ]; then
		fail "processes left behind:"
		echo "$left" | sed 's/^/    | /'
	else
		pass "no kbox or guest processes left"
	fi
}

# fd_count PID: number of open fds of a host process (-1 if gone)
fd_count() {
	local n
	n=$(ls "/proc/$1/fd" 2>/dev/null | wc -l) || n=-1
	[ -d "/proc/$1" ] || n=-1
	echo "$n"
}

# kbox_pid_of PARENT: pid of the kbox process started under PARENT
# (a `timeout` wrapper); empty if none yet
kbox_pid_of() {
	pgrep -P "$1" | head -1
}

# setid_bind_setup: for the set-ID bind tests, which need a root kbox
# (root-owned set-ID files): sets $img (an own image), $T (the
# setid-exec guest program) and $b (an empty bind directory, 755, under
# $TMP), or skips.
setid_bind_setup() {
	require_cmd python3
	[ "$(id -u)" -eq 0 ] || skip "needs a root kbox (root-owned set-ID files)"
	img=$(own_img)
	T=$BUILD/guest/setid-exec
	[ -x "$T" ] || skip "no $T (make guest-tests)"
	b=$TMP/bind
	mkdir -p "$b" && chmod 755 "$b" "$TMP"
}
