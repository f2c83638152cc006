#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# -m errors=panic: an ext4 error ends kbox with the kernel's panic line,
# "EXT4-fs (device lxda): panic forced after error", which does not say
# what is corrupt. The error itself ("EXT4-fs error (device lxda):
# ext4_...: inode #N: ...") was only in lx's log (--verbose): kbox says
# it on the line before the panic.
. "$(dirname "$0")/lib/common.sh"
require
require_cmd debugfs
img=$(own_img)
echo hello >"$TMP/victim"
debugfs -w -R "write $TMP/victim /victim" "$img" >/dev/null 2>&1 ||
	fail "debugfs write"
ino=$(debugfs -R "stat /victim" "$img" 2>/dev/null | awk '/^Inode:/{print $2}')
# i_block[0] holds the extent header's magic (0xf30a): zero it
debugfs -w -R "sif /victim block[0] 0" "$img" >/dev/null 2>&1 ||
	fail "debugfs sif"
KB_TIMEOUT=30 kbo "$TMP/out" -m errors=panic -r "$img" -- /bin/cat /victim
expect_status 1 $? "reading a file with a corrupt extent header"
expect_grep "^kbox: EXT4-fs error \(device lxda\): .*inode #$ino: .*bad header/extent" \
	"$TMP/out" "the ext4 error is said"
expect_grep '^kbox: kernel panic: EXT4-fs \(device lxda\): panic forced after error$' \
	"$TMP/out" "then the panic"
check "error line, then panic line" test "$(sed -n 's/^kbox: \(EXT4-fs error\|kernel panic\).*/\1/p' "$TMP/out" | tr '\n' ,)" = "EXT4-fs error,kernel panic,"
KB_TIMEOUT=30 kbo "$TMP/out" -k "$(echo x{1..40})" -r "$img" -- /bin/true
expect_status 1 $? "40 unknown kernel parameters"
check "a panic without an error before it: one line" test "$(wc -l <"$TMP/out")" -eq 1
done_test
