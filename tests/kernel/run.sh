#!/bin/bash
# SPDX-License-Identifier: MIT
# Run the lx kernel tests: usage run.sh BINDIR LXDIR. Each check prints
# ok/FAIL; the last line is "N passed, N failed".
set -uo pipefail
BIN=$1 LX=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
passed=0 failed=0

result() { # name rc
	if [ "$2" -eq 0 ]; then
		echo "ok   $1"
		passed=$((passed + 1))
	else
		echo "FAIL $1"
		failed=$((failed + 1))
	fi
}

# Runs a ktest binary and folds its own counts into ours.
run_ktest() { # label cmd...
	local label=$1 out rc p f
	shift
	out=$("$@" 2>&1)
	rc=$?
	echo "$out" | grep -v -E '^[0-9]+ passed, [0-9]+ failed$' | sed "s/^/[$label] /"
	if [[ $(echo "$out" | tail -n1) =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]}
		[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	else
		p=0 f=1
		echo "[$label] exited with status $rc"
	fi
	passed=$((passed + p)) failed=$((failed + f))
}

# The test image: a known file, made on the host with mke2fs -d.
mkdir -p "$TMP/root/etc"
printf 'hello from the image\n' >"$TMP/root/etc/hello.txt"
mke2fs -q -F -t ext4 -d "$TMP/root" "$TMP/img.ext4" 64M
head -c 8M /dev/urandom >"$TMP/corrupt.img"

run_ktest fs timeout 120 "$BIN/lx_fs_test" "$TMP/img.ext4" "$TMP/corrupt.img"

# After sync, unmount and halt the host sees a clean image with our data.
e2fsck -fn "$TMP/img.ext4" >"$TMP/fsck.log" 2>&1
rc=$?
[ $rc -ne 0 ] && cat "$TMP/fsck.log"
result "image_clean_after_halt (e2fsck -fn)" $rc
got=$(debugfs -R 'cat /kt/written.txt' "$TMP/img.ext4" 2>/dev/null)
[ "$got" = "written by lx" ]
result "host_debugfs_sees_written_data" $?
debugfs -R 'stat /kt/meta' "$TMP/img.ext4" 2>/dev/null | grep -q 'User:  1000   Group:  1001'
result "host_debugfs_sees_chown" $?
! debugfs -R 'stat /kt/a' "$TMP/img.ext4" 2>&1 | grep -q 'Inode:'
result "host_debugfs_sees_rename" $?

run_ktest halt timeout 60 "$BIN/lx_halt_test"
# The halt of a process that exits next (kbox's): its writes are kept too.
mke2fs -q -F -t ext4 "$TMP/exit.ext4" 16M
run_ktest halt-exit timeout 60 "$BIN/lx_halt_exit_test" "$TMP/exit.ext4"
got=$(debugfs -R 'cat /exit.txt' "$TMP/exit.ext4" 2>/dev/null)
[ "$got" = "kept at exit" ]
result "halt_exiting_data_in_image (debugfs)" $?
e2fsck -fn "$TMP/exit.ext4" >"$TMP/fsck-exit.log" 2>&1
rc=$?
[ $rc -ne 0 ] && cat "$TMP/fsck-exit.log"
result "halt_exiting_image_clean (e2fsck -fn)" $rc
# Flushes on the host's flush thread: a second image and a raw scratch disk.
mke2fs -q -F -t ext4 "$TMP/blk.ext4" 16M
truncate -s 1M "$TMP/scratch.img"
run_ktest blk timeout 120 "$BIN/lx_blk_test" "$TMP/blk.ext4" "$TMP/scratch.img"
e2fsck -fn "$TMP/blk.ext4" >"$TMP/fsck-blk.log" 2>&1
rc=$?
[ $rc -ne 0 ] && cat "$TMP/fsck-blk.log"
result "blk_image_clean_after_halt (e2fsck -fn)" $rc
run_ktest cpu timeout 60 "$BIN/lx_cpu_test"
# The same with one CPU to start from: pinning must change nothing.
run_ktest cpu1 timeout 60 taskset -c 0 "$BIN/lx_cpu_test"

# Symbol hygiene: only the lx_ API is defined; undefined symbols are allowed.
bad=$(nm -g --defined-only "$LX/liblx.a" | awk 'NF==3 && $3 !~ /^lx_/ {print $3}')
[ -z "$bad" ] || echo "non-lx symbols defined: $bad"
[ -z "$bad" ]
result "archive_defines_only_lx_symbols" $?
pub=$(nm -g --defined-only "$LX/liblx.a" | awk 'NF==3 {print $3}' | sort)
extra=$(comm -23 <(echo "$pub") <(sort "$LX/public-symbols.txt"))
[ -z "$extra" ] || echo "internal symbols exported: $extra"
[ -z "$extra" ]
result "archive_exports_only_the_public_api" $?
undef=$(nm -u "$LX/liblx.a" | awk '{print $2}' | sort -u | grep -vxF -f <(grep -v '^#' "$LX/allowed-undefined.txt"))
[ -z "$undef" ] || echo "undefined symbols not allowed: $undef"
[ -z "$undef" ]
result "archive_undefined_symbols_allowed" $?

# Leaks at halt: a boot + halt under valgrind frees all it allocated.
if command -v valgrind >/dev/null; then
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite \
		--error-exitcode=9 "$BIN/lx_halt_test" >"$TMP/vg.log" 2>&1
	rc=$?
	[ $rc -ne 0 ] && tail -30 "$TMP/vg.log"
	result "no_leaks_at_halt (valgrind)" $rc
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
