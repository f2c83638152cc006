#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The persistent content cache ($KBOX_CONTENT_CACHE, at most 512 MiB)
# stays near its bound during a run, not only after it: a guest rewrites
# python3 (6.5 MiB, dynamic: a raw and a patched copy per version) and
# runs it, 70 times; then, before kbox exits, the cache (a bind) may hold
# at most 640 MiB. kbox pruned only at exit: the cache held every version
# (~900 MiB here, 1.5 GiB for 120) until the session ended, so a long
# session that rebuilt and ran programs could fill the disk.
. "$(dirname "$0")/../integration/lib/common.sh"
require
cc=$TMP/cc
mkdir -p "$cc"
# shellcheck disable=SC2016 # expanded by the guest's shell
script='py=$(readlink -f /usr/bin/python3) || exit 3
for i in $(seq 1 70); do
	cat "$py" >/var/tmp/p && chmod +x /var/tmp/p && /var/tmp/p -c pass || exit 4
done
rm -f /var/tmp/p
echo "cache: $(du -sk /mnt/cc | cut -f1)"'
KB_TIMEOUT=120 KBOX_CONTENT_CACHE=$cc kbo "$TMP/out" --verbose -b "$cc:/mnt/cc" -S "$IMG" -- /bin/sh -c "$script"
expect_status 0 $? "70 versions of python3 run"
expect_grep '[0-9]{3} stored' "$TMP/out" "each version was stored in the cache"
kb=$(sed -n 's/^cache: //p' "$TMP/out")
if [ -n "$kb" ] && [ "$kb" -le $((640 * 1024)) ]; then
	pass "the cache held $kb KiB before kbox exited"
else
	fail "the cache held ${kb:-?} KiB before kbox exited, want <= 640 MiB"
fi
kb=$(du -sk "$cc" | cut -f1)
if [ "$kb" -le $((512 * 1024)) ]; then
	pass "after exit: $kb KiB"
else
	fail "after exit: $kb KiB, want <= 512 MiB"
fi
done_test
