#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A -k word no part of lx knows (Linux hands such words to init: argv
# without '=', the environment with one, everything after "--") is one
# warning line each, and the guest runs. Before, kbox took them silently,
# so a misspelt -k mme=256M booted with the default RAM and no hint.
# Words Linux knows stay silent: parameters, early and __setup ones,
# module parameters (foo.bar=), init= (which drops the words before it,
# as in Linux), the boot loader's BOOT_IMAGE= and kexec.
. "$(dirname "$0")/lib/common.sh"
require

# warns K WORD...: -k K runs the guest and warns for exactly the WORDs
warns() {
	local k=$1 w
	shift
	kbo "$TMP/out" -k "$k" -r "$IMG" -- /bin/echo ran
	expect_status 0 $? "-k '$k' boots"
	grep -v '^ran$' "$TMP/out" >"$TMP/warn"
	expect_grep '^ran$' "$TMP/out" "-k '$k': the guest ran"
	for w in "$@"; do
		expect_grep "^kbox: warning: -k $w: not a kernel parameter lx knows" \
			"$TMP/warn" "-k '$k': warns of '$w'"
	done
	check "-k '$k': $# warning lines, nothing else" \
		test "$(wc -l <"$TMP/warn")" -eq "$#"
}

warns garbage garbage
warns "quiet=1 foo" foo
warns "mme=256M loglevel=4" mme=256M
warns "quiet splash" splash
warns "HOME=/x ZZ=1 yy" yy ZZ=1
warns "a -- b c=d" a b c=d
warns "loglevel=4 mem=64M quiet"
warns "foo.bar=1 ext4.x=2 sysctl.vm.swappiness=10"
warns "a init=/bin/sh"
warns "BOOT_IMAGE=/vmlinuz kexec console=ttyS0 panic=5"
done_test
