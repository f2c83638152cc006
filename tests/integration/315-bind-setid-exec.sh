#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Set-user-ID, set-group-ID and file-capability programs in a -b bind
# give their rights under a root kbox, as on Linux (a bind mount keeps
# its source's nosuid flag): run directly, by fexecve, as a #!
# interpreter, from Python's subprocess (vfork); glibc's unsecure
# variables dropped. A host mount that is nosuid gives none, and the
# bind's mountinfo line says nosuid exactly then; a rootless kbox's binds
# stay nosuid (its guest users all act as kbox's host user there). kbox
# honoured the bits of image files only: a bind was always nosuid.
# shellcheck disable=SC2016 # expanded by the guest shell
. "$(dirname "$0")/lib/common.sh"
require
setid_bind_setup
cp "$T" "$b/suid" && chown 0:0 "$b/suid" && chmod 4755 "$b/suid"
cp "$T" "$b/sgid" && chown 0:50 "$b/sgid" && chmod 2755 "$b/sgid"
cp "$T" "$b/plain" && chmod 755 "$b/plain"
printf '#!/mnt/b/suid\n' >"$b/s1" && chmod 755 "$b/s1"
printf '#!/mnt/b/plain\n' >"$b/own" && chmod 4755 "$b/own"
# cat with cap_dac_read_search+ep (a v2 value, as setcap writes)
cp /bin/cat "$b/capcat" && chmod 755 "$b/capcat"
python3 -c 'import os, struct, sys
os.setxattr(sys.argv[1], "security.capability", struct.pack("<5I", 0x02000001, 4, 0, 0, 0))' "$b/capcat"
printf '#!/mnt/b/capcat\n' >"$b/c1" && chmod 755 "$b/c1"

kbo "$TMP/setup.out" -S "$img" -- /bin/sh -c 'echo root-only >/var/tmp/secret && chmod 600 /var/tmp/secret'
kbo "$TMP/user.out" --change-id 1000:1000 -R "$img" -b "$b:/mnt/b" -- /bin/sh -c '
	grep " /mnt/b " /proc/self/mountinfo | cut -d" " -f6 | sed "s/^/flags: /"
	echo suid: $(/mnt/b/suid ids)
	echo sgid: $(/mnt/b/sgid ids)
	echo s1: $(/mnt/b/s1 ids)
	echo own: $(/mnt/b/own ids)
	echo cap: $(/mnt/b/capcat /var/tmp/secret)
	echo c1: $(/mnt/b/c1 /var/tmp/secret | tail -1)
	echo preload: $(/opt/kbox-tests/setid-exec run /mnt/b/suid)
	echo fexecve: $(python3 -c "import os
os.execve(os.open(\"/mnt/b/suid\", os.O_RDONLY), [\"suid\", \"ids\"], {})")
	echo after: $(id -u) $(id -g)
	python3 -c "
import subprocess
a = [\"keep-me\"] * 3
r = subprocess.run([\"/mnt/b/s1\", \"ids\"], capture_output=True, text=True)
print(\"vfork:\", r.returncode, r.stdout.strip(), a)"'
expect_status 0 $? "bind set-ID programs as uid 1000"
expect_grep '^flags: rw,nodev,relatime$' "$TMP/user.out" "the bind's mount is not nosuid"
expect_grep '^suid: uid 1000 0 0 gid 1000 1000 1000' "$TMP/user.out" "set-user-ID root in a bind: euid and saved uid 0"
expect_grep '^sgid: uid 1000 1000 1000 gid 1000 50 50' "$TMP/user.out" "set-group-ID in a bind: egid and saved gid 50"
expect_grep '^s1: uid 1000 0 0 ' "$TMP/user.out" "a script with a set-user-ID bind interpreter"
expect_grep '^own: uid 1000 1000 1000 ' "$TMP/user.out" "a set-user-ID script: nothing"
expect_grep '^cap: root-only$' "$TMP/user.out" "cap_dac_read_search+ep in a bind reads a 0600 root file"
expect_grep '^c1: root-only$' "$TMP/user.out" "and as a #! interpreter"
expect_grep '^preload: uid 1000 0 0 .* preload \(unset\) libpath \(unset\)$' "$TMP/user.out" "LD_PRELOAD dropped for it"
expect_grep '^fexecve: uid 1000 0 0 ' "$TMP/user.out" "fexecve of the bind file"
expect_grep '^after: 1000 1000$' "$TMP/user.out" "the shell keeps its ids"
expect_grep "^vfork: 0 uid 1000 0 0 .* \['keep-me', 'keep-me', 'keep-me'\]$" "$TMP/user.out" "from Python's subprocess (vfork)"

# a nosuid host mount
ns=$TMP/ns
mkdir "$ns"
if mount -t tmpfs -o nosuid,mode=755 tmpfs "$ns" 2>/dev/null; then
	trap 'umount "$ns" 2>/dev/null; cleanup' EXIT
	cp -a "$b/suid" "$ns/suid"
	cp -a "$b/capcat" "$ns/capcat"
	python3 -c 'import os, struct, sys
os.setxattr(sys.argv[1], "security.capability", struct.pack("<5I", 0x02000001, 4, 0, 0, 0))' "$ns/capcat"
	kbo "$TMP/ns.out" --change-id 1000:1000 -R "$img" -b "$ns:/mnt/n" -- /bin/sh -c '
		grep " /mnt/n " /proc/self/mountinfo | cut -d" " -f6 | sed "s/^/flags: /"
		echo suid: $(/mnt/n/suid ids)
		echo cap: $(/mnt/n/capcat /var/tmp/secret 2>&1 | sed "s/.*: //")'
	expect_grep '^flags: rw,nosuid,nodev,relatime$' "$TMP/ns.out" "a nosuid host mount's bind is nosuid"
	expect_grep '^suid: uid 1000 1000 1000 ' "$TMP/ns.out" "its set-user-ID program gives nothing"
	expect_grep '^cap: Permission denied$' "$TMP/ns.out" "nor its capabilities"
	umount "$ns"
fi

# a rootless kbox
d=$(mktemp -d /tmp/kbox-bindsetid.XXXXXX)
cp --sparse=always "$img" "$d/img" && chmod 755 "$d" && chmod 666 "$d/img"
mkdir "$d/b" && cp -a "$b/suid" "$d/b/suid" && chmod 755 "$d/b"
chown 65534:65534 "$d"
kbox_abs=$(cd "$(dirname "$KBOX")" && pwd)/$(basename "$KBOX")
timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups -- env HOME="$d" \
	"$kbox_abs" -S "$d/img" -b "$d/b:/mnt/b" -- /bin/sh -c '
	grep " /mnt/b " /proc/self/mountinfo | cut -d" " -f6 | sed "s/^/flags: /"
	echo suid: $(python3 -c "import os; os.setgroups([]); os.setresgid(1000, 1000, 1000)
os.setresuid(1000, 1000, 1000); os.execv(\"/mnt/b/suid\", [\"suid\", \"ids\"])")' \
	>"$TMP/rootless.out" 2>&1
rm -rf "$d"
expect_grep '^flags: rw,nosuid,nodev,relatime$' "$TMP/rootless.out" "a rootless kbox's bind is nosuid"
expect_grep '^suid: uid 1000 1000 1000 ' "$TMP/rootless.out" "and its set-user-ID programs give nothing"
done_test
