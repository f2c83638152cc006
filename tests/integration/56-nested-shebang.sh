#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A #! script whose interpreter is itself a script runs as on Linux: each
# level puts its interpreter, optional argument and script path in front
# of the arguments; past five scripts in a row exec fails with ELOOP.
. "$(dirname "$0")/lib/common.sh"
require

# shellcheck disable=SC2016 # expanded by the guest's shell
kbo "$TMP/out" -r "$IMG" -- /bin/sh -c '
	d=/root/nest; mkdir -p $d
	printf "#!/bin/sh\necho \"inner: \$0 | \$*\"\n" >$d/inner
	printf "#!$d/inner -x\n" >$d/mid
	printf "#!$d/mid\n" >$d/outer
	chmod +x $d/inner $d/mid $d/outer
	$d/mid a b
	$d/outer c "d e"
	# five scripts in a row are allowed, six are not
	printf "#!/bin/sh\necho deep \$#\n" >$d/l1
	for i in 2 3 4 5 6; do printf "#!$d/l$((i - 1))\n" >$d/l$i; done
	chmod +x $d/l*
	$d/l5
	$d/l6 2>/dev/null || echo "l6 failed"
	python3 -c "
import errno, os
try:
    os.execv(\"$d/l6\", [\"l6\"])
except OSError as e:
    print(\"l6 errno\", errno.errorcode[e.errno])"'
expect_status 0 $? "nested #! scripts"
expect_grep '^inner: /root/nest/inner \| -x /root/nest/mid a b$' "$TMP/out" "two levels: [inner, -x, mid, args]"
expect_grep '^inner: /root/nest/inner \| -x /root/nest/mid /root/nest/outer c d e$' "$TMP/out" \
	"three levels: [inner, -x, mid, outer, args]"
expect_grep '^deep 4$' "$TMP/out" "five scripts in a row run"
expect_grep '^l6 failed$' "$TMP/out" "six scripts in a row do not"
expect_grep '^l6 errno ELOOP$' "$TMP/out" "six scripts in a row: ELOOP"
done_test
