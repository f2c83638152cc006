#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tar czf + tar xzf round trip inside the guest: same tree, same bytes.
. "$(dirname "$0")/lib/common.sh"
require

script='
set -e
rm -rf /var/tmp/rt && mkdir -p /var/tmp/rt && cd /var/tmp/rt
mkdir -p src/a/b src/empty
for i in $(seq 1 50); do echo "file $i $(seq 1 $i)" >src/a/f$i; done
head -c 200000 /bin/sh >src/a/b/binary
ln -s a/f1 src/link
chmod 0750 src/a/b
tar czf t.tgz src
mkdir out && cd out && tar xzf ../t.tgz && cd ..
sig() { (cd "$1" && find . | sort && find . -type f | sort | xargs md5sum); }
sig src >sig1; sig out/src >sig2
[ "$(cat sig1)" = "$(cat sig2)" ]
[ "$(readlink out/src/link)" = a/f1 ]
[ "$(stat -c %a out/src/a/b)" = 750 ]
tar tzf t.tgz | wc -l
gzip -t t.tgz
echo roundtrip-ok
'
kbo "$TMP/out" -0 -r "$IMG" -- /bin/sh -c "$script"
st=$?
sed 's/^/    | /' "$TMP/out" | tail -20
expect_status 0 "$st" "tar czf + tar xzf round trip"
expect_grep '^5[0-9]$' "$TMP/out" "archive lists 50+ entries"
expect_grep '^roundtrip-ok$' "$TMP/out" "trees identical after the round trip"
# the archive is a valid gzip'd tar on the host too
debugfs -R "dump /var/tmp/rt/t.tgz $TMP/t.tgz" "$IMG" >/dev/null 2>&1
if tar tzf "$TMP/t.tgz" >"$TMP/list" 2>&1; then
	pass "host tar reads the guest's archive ($(wc -l <"$TMP/list") entries)"
else
	fail "host tar cannot read the archive dumped from the image"
fi
done_test
