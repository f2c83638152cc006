#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The default image is a Debian system dpkg knows: its packages are in
# dpkg's database (status, file lists, md5sums), so dpkg -l/-S/-V answer,
# and installing a local package (dependencies checked against the image,
# maintainer script run, files unpacked) and removing it work under -S.
. "$(dirname "$0")/lib/common.sh"
require
require_cmd dpkg-deb

pkg=$TMP/pkg
mkdir -p "$pkg/DEBIAN" "$pkg/usr/share/kbox-demo"
echo "kbox demo payload" >"$pkg/usr/share/kbox-demo/payload.txt"
cat >"$pkg/DEBIAN/control" <<'EOF'
Package: kbox-demo
Version: 1.0
Architecture: all
Maintainer: kbox <kbox@localhost>
Depends: libc6 (>= 2.34), coreutils
Description: test package for kbox's integration tests
EOF
cat >"$pkg/DEBIAN/postinst" <<'EOF'
#!/bin/sh
set -e
echo "configured $1" >/var/lib/kbox-demo.postinst
EOF
chmod 0755 "$pkg/DEBIAN/postinst"
mkdir -p "$TMP/debs"
if ! dpkg-deb --root-owner-group --build "$pkg" "$TMP/debs/kbox-demo.deb" >"$TMP/build" 2>&1; then
	fail "dpkg-deb --build" "$TMP/build"
	done_test
fi
pkg2=$TMP/pkg2
mkdir -p "$pkg2/DEBIAN"
sed -e 's/^Package: .*/Package: kbox-broken/' \
	-e 's/^Depends: .*/Depends: no-such-package/' "$pkg/DEBIAN/control" >"$pkg2/DEBIAN/control"
dpkg-deb --root-owner-group --build "$pkg2" "$TMP/debs/kbox-broken.deb" >/dev/null 2>&1

# shellcheck disable=SC2016 # expanded by the guest's shell
kbo "$TMP/out" -S "$IMG" -b "$TMP/debs:/debs" -- /bin/sh -c '
	export PATH=/usr/sbin:/usr/bin:/sbin:/bin
	echo "installed=$(dpkg-query -W -f="\${Status}\n" | grep -c "install ok installed")"
	echo "owner=$(dpkg -S /bin/ls)"
	dpkg -V && echo "verify=ok"
	dpkg -i /debs/kbox-demo.deb >/tmp/i.log 2>&1; echo "install=$?"
	echo "status=$(dpkg-query -W -f="\${Status}" kbox-demo)"
	echo "payload=$(cat /usr/share/kbox-demo/payload.txt)"
	echo "postinst=$(cat /var/lib/kbox-demo.postinst)"
	dpkg -i /debs/kbox-broken.deb >/tmp/b.log 2>&1; echo "broken=$?"
	grep -q "no-such-package" /tmp/b.log && echo "broken-says-why=yes"
	dpkg -r kbox-demo >/tmp/r.log 2>&1; echo "remove=$?"
	[ -e /usr/share/kbox-demo/payload.txt ] || echo "payload-gone=yes"'
expect_status 0 $? "dpkg in the default image"
if grep -Eq '^installed=([3-9][0-9]|[1-9][0-9]{2,})$' "$TMP/out"; then
	pass "the image's packages are installed in dpkg's database"
else
	fail "the image's packages are installed in dpkg's database" "$TMP/out"
fi
expect_grep '^owner=coreutils: /bin/ls$' "$TMP/out" "dpkg -S finds the package of /bin/ls"
expect_grep '^verify=ok$' "$TMP/out" "dpkg -V: every file matches its md5sum"
expect_grep '^install=0$' "$TMP/out" "dpkg -i of a local package with dependencies"
expect_grep '^status=install ok installed$' "$TMP/out" "the package is configured"
expect_grep '^payload=kbox demo payload$' "$TMP/out" "its files are unpacked"
expect_grep '^postinst=configured configure$' "$TMP/out" "its postinst ran"
expect_grep '^broken=1$' "$TMP/out" "an unmet dependency fails dpkg -i"
expect_grep '^broken-says-why=yes$' "$TMP/out" "and dpkg names the missing package"
expect_grep '^remove=0$' "$TMP/out" "dpkg -r"
expect_grep '^payload-gone=yes$' "$TMP/out" "removal deletes the package's files"
# After kbox exits, the image holds the installed state (debugfs reads it)
kb -S "$IMG" -b "$TMP/debs:/debs" -- /bin/sh -c \
	'PATH=/usr/sbin:/usr/bin:/sbin:/bin dpkg -i /debs/kbox-demo.deb' >/dev/null 2>&1
if img_cat "$IMG" /var/lib/dpkg/status | grep -A2 '^Package: kbox-demo$' |
	grep -q '^Status: install ok installed$'; then
	pass "the installed package is in the image's dpkg status after exit"
else
	fail "the installed package is in the image's dpkg status after exit"
fi
done_test
