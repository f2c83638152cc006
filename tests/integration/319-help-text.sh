#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# --help names every option the parser takes, says what -p 0 and -k
# mem= mean, gives examples and the exit statuses, and points at the
# isolation section of the README, which exists. --version and no
# arguments: one line each, 0 and 2. The help had no example, no exit
# status, and no word of what kbox does not isolate.
. "$(dirname "$0")/lib/common.sh"
require_kbox
kb --help >"$TMP/help" 2>&1
expect_status 0 $? "--help"
for o in -r --root-dir -R --recommended-root -S --system-root -t --fs-type \
	-p --part -w --work-dir -c --command -k --cmdline -m --mount-opts \
	-b --bind-mount -0 --root-id --change-id --mount-profile \
	--syscall-mode --verbose --trace -h --help --version; do
	check "help names $o" grep -Eq -- "(^| )$o[ ,]" "$TMP/help"
done
expect_grep '^Examples:' "$TMP/help" "examples"
expect_grep '^  kbox -S rootfs.ext4 .*-- ' "$TMP/help" "an example with --"
expect_grep 'mem=SIZE' "$TMP/help" "-k mem= explained"
expect_grep '0, the default: the whole image' "$TMP/help" "-p 0 explained"
expect_grep '^Exit status:' "$TMP/help" "exit statuses"
expect_grep 'What kbox does and does not isolate' "$TMP/help" "points at the isolation section"
check "README has that section" grep -q '^## What kbox does and does not isolate' "$KBOX_ROOT/README.md"
kb --version >"$TMP/v" 2>&1
expect_status 0 $? "--version"
expect_grep '^kbox [0-9]+\.[0-9]+' "$TMP/v" "--version prints it"
kb >"$TMP/none" 2>&1
expect_status 2 $? "no arguments"
check "no arguments: one line" test "$(wc -l <"$TMP/none")" -eq 1
done_test
