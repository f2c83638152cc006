#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# An address-space limit (ulimit -v) is the guest's, as under chroot; kbox's
# own memory (lx's RAM, its threads' stacks and malloc arenas, the programs
# it maps to start them) must not make a guest that runs natively fail.
# Before: 1000000 KB ended in "supervisor failed: Resource temporarily
# unavailable" (arenas took the room, a thread could not start), 1200000
# in "python3: Cannot allocate memory", 400000 in a kernel panic (lx's RAM
# could not be allocated); the limits in between worked. The same for a
# small stack limit (ulimit -s): kbox's main thread ran on it and kbox
# died of SIGSEGV under 32 KB, where the guest runs natively. And a data
# size limit (ulimit -d), which lx's RAM counts against.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
for v in 300000 400000 700000 1000000 1200000 2000000; do
	(
		ulimit -v $v
		kbo "$TMP/as.$v" -S "$img" -- /bin/sh -c \
			'ulimit -v; python3 -c "print(\"python ran\")"; seq 1 500 | wc -l'
	)
	expect_status 0 $? "ulimit -v $v: the guest runs"
	expect_grep "^$v\$" "$TMP/as.$v" "ulimit -v $v: the guest has that limit"
	expect_grep '^python ran$' "$TMP/as.$v" "ulimit -v $v: python3 runs"
	expect_grep '^500$' "$TMP/as.$v" "ulimit -v $v: a pipeline runs"
done

# The limit holds for the guest as natively: 500 MB under 400000 KB fails.
(
	ulimit -v 400000
	kbo "$TMP/big" -S "$img" -- python3 -c 'x = bytearray(500 << 20)'
)
expect_status 1 $? "500 MB in python3 under ulimit -v 400000"
expect_grep 'MemoryError' "$TMP/big" "it is python's MemoryError"

# A soft limit: kbox takes the hard one, the guest has the soft one.
(
	ulimit -S -v 400000
	kbo "$TMP/soft" -S "$img" -- /bin/sh -c 'echo "soft $(ulimit -S -v) hard $(ulimit -H -v)"'
)
expect_grep '^soft 400000 hard unlimited$' "$TMP/soft" "a soft limit stays the guest's"

# Stack limits: hard (bash's ulimit sets both) and soft only.
for s in 16 32 64; do
	(
		ulimit -s $s
		kbo "$TMP/stack.$s" -S "$img" -- /bin/sh -c 'echo "stack $(ulimit -s)"'
	)
	expect_status 0 $? "ulimit -s $s: the guest runs"
	expect_grep "^stack $s\$" "$TMP/stack.$s" "ulimit -s $s: the guest has that limit"
done
(
	ulimit -S -s 32
	kbo "$TMP/stack-soft" -S "$img" -- /bin/sh -c 'echo "soft $(ulimit -S -s) hard $(ulimit -H -s)"'
)
expect_grep "^soft 32 hard $(ulimit -H -s)\$" "$TMP/stack-soft" "a soft stack limit stays the guest's"

# A data limit (lx's RAM counts against it): 300000 KB could not boot lx.
(
	ulimit -d 300000
	kbo "$TMP/data" -S "$img" -- /bin/sh -c 'ulimit -d; python3 -c "print(\"python ran\")"'
)
expect_status 0 $? "ulimit -d 300000: the guest runs"
expect_grep '^300000$' "$TMP/data" "ulimit -d 300000: the guest has that limit"
expect_grep '^python ran$' "$TMP/data" "ulimit -d 300000: python3 runs"

# Too low for kbox at all: one line, non-zero, the image untouched.
(
	ulimit -v 200000
	kbo "$TMP/low" -S "$img" -- /bin/true
)
expect_status 1 $? "ulimit -v 200000"
expect_grep '^kbox: the address-space limit \(ulimit -v 200000\) is too low' "$TMP/low" "says why"
check "just that line" test "$(wc -l <"$TMP/low")" -eq 1
e2fsck -fn "$img" >/dev/null 2>&1
check "image clean (e2fsck -fn)" test $? -eq 0
done_test
