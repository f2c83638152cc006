#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The default image (make rootfs) is configured as a debootstrap'd chroot
# of its packages: mkrootfs runs their preinsts and dpkg --configure -a in
# the image under kbox. Before, they were recorded installed with a few
# links made by hand: no /etc/profile (sh -l kept the caller's PATH),
# /root/.profile, .bashrc, /etc/motd, /var/log/wtmp; awk and which plain
# links no alternative named; /bin/sh not diverted by dash; no .pyc.
. "$(dirname "$0")/lib/common.sh"
require

# A login shell reads /etc/profile: root's PATH is Debian's (login and su
# start it with /usr/bin:/bin).
# shellcheck disable=SC2016 # for the guest's shells
kbo "$TMP/out" -S "$IMG" -- /usr/bin/env -i PATH=/usr/bin:/bin /bin/sh -l -c 'echo "sh-path=$PATH"'
expect_status 0 $? "sh -l"
expect_grep '^sh-path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin$' "$TMP/out" \
	"sh -l reads /etc/profile"
# shellcheck disable=SC2016
kbo "$TMP/out" -S "$IMG" -- /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root /bin/bash -l -c \
	'echo "bash-path=$PATH"'
expect_status 0 $? "bash -l"
expect_grep '^bash-path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin$' "$TMP/out" \
	"bash -l reads /etc/profile"

# dpkg's own view: every package configured, nothing for --audit, the
# alternatives and dash's diversion of /bin/sh registered.
# shellcheck disable=SC2016
kbo "$TMP/out" -S "$IMG" -- /bin/sh -c '
	export PATH=/usr/sbin:/usr/bin:/sbin:/bin
	echo "audit=[$(dpkg --audit 2>&1)]"
	echo "not-ii=$(dpkg-query -W -f="\${db:Status-Abbrev}\n" | grep -vc "^ii ")"
	echo "pkgs=$(dpkg-query -W | grep -c .)"
	for a in awk which; do
		echo "$a=$(update-alternatives --query "$a" 2>&1 | sed -n "s/^Value: //p") $(readlink /usr/bin/$a)"
	done
	echo "sh-diverter=$(dpkg-divert --listpackage /bin/sh)"
	echo "sh=$(readlink /bin/sh)"
	dpkg --verify && echo verify-clean
	for f in /etc/profile /etc/motd /root/.profile /root/.bashrc /etc/shells \
		/etc/nsswitch.conf /etc/ld.so.cache; do
		[ -s "$f" ] && echo "have $f"
	done
	stat -c "%n %a %U:%G" /var/mail /var/log/wtmp /var/log/btmp /var/log/lastlog
	echo "var-lock=$(readlink /var/lock)"
	grep -qx /usr/bin/bash /etc/shells && echo "shells-bash"
	ls /usr/lib/python3.11/__pycache__/os.cpython-311.pyc >/dev/null && echo "pyc"
	[ -e /usr/sbin/policy-rc.d ] || echo "policy-rc.d gone"
' 2>&1
expect_status 0 $? "dpkg queries"
expect_grep '^audit=\[\]$' "$TMP/out" "dpkg --audit prints nothing"
expect_grep '^not-ii=0$' "$TMP/out" "every package is install ok installed"
expect_grep '^pkgs=[1-9][0-9]+$' "$TMP/out" "packages listed"
expect_grep '^awk=/usr/bin/mawk /etc/alternatives/awk$' "$TMP/out" "awk is mawk's alternative"
expect_grep '^which=/usr/bin/which.debianutils /etc/alternatives/which$' "$TMP/out" \
	"which is debianutils' alternative"
expect_grep '^sh-diverter=dash$' "$TMP/out" "dash diverts /bin/sh"
expect_grep '^sh=dash$' "$TMP/out" "/bin/sh is dash"
expect_grep '^verify-clean$' "$TMP/out" "dpkg --verify is clean"
for f in /etc/profile /etc/motd /root/.profile /root/.bashrc /etc/shells \
	/etc/nsswitch.conf /etc/ld.so.cache; do
	expect_grep "^have $f\$" "$TMP/out" "$f made"
done
expect_grep '^/var/mail 2775 root:mail$' "$TMP/out" "/var/mail"
expect_grep '^/var/log/wtmp 664 root:utmp$' "$TMP/out" "/var/log/wtmp"
expect_grep '^/var/log/btmp 660 root:utmp$' "$TMP/out" "/var/log/btmp"
expect_grep '^/var/log/lastlog 664 root:utmp$' "$TMP/out" "/var/log/lastlog"
expect_grep '^var-lock=/run/lock$' "$TMP/out" "/var/lock is base-files' link"
expect_grep '^shells-bash$' "$TMP/out" "bash registered in /etc/shells"
expect_grep '^pyc$' "$TMP/out" "python's standard library is byte-compiled"
expect_grep '^policy-rc.d gone$' "$TMP/out" "no policy-rc.d left"

# /run/lock is in the image itself (base-files made it in kbox's /run
# tmpfs during the build), so /var/lock works without the mount profile.
kbo "$TMP/out" -r "$IMG" -0 -- /bin/sh -c 'stat -c "%a" /run/lock; touch /var/lock/x && echo touched'
expect_status 0 $? "/var/lock under -r"
expect_grep '^1777$' "$TMP/out" "/run/lock in the image is 1777"
expect_grep '^touched$' "$TMP/out" "/var/lock is writable under -r"
done_test
