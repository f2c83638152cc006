#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A #! script takes exec's credentials from its (last) interpreter, as
# Linux does (binfmt_script makes the interpreter bprm->file): a
# set-user-ID, set-group-ID or file-capability interpreter applies, also
# through a nested #! and when the script itself lies on a nosuid mount;
# the script's own bits never do; an interpreter on a nosuid mount (lx's
# /tmp, or the image mounted -m nosuid) gives nothing. Python's subprocess
# (vfork) runs such a script too, and its own memory stays intact. kbox
# ran every such interpreter with the caller's ids and capabilities.
# shellcheck disable=SC2016 # expanded by the guest shell
. "$(dirname "$0")/lib/common.sh"
require
require_cmd python3
img=$(own_img)
T=/opt/kbox-tests/setid-exec
kbo "$TMP/setup.out" -S "$img" -- /bin/sh -c "
	D=/opt/si; mkdir -p \$D
	cp $T \$D/suid && chown 0:0 \$D/suid && chmod 4755 \$D/suid
	cp $T \$D/sgid && chown 0:50 \$D/sgid && chmod 2755 \$D/sgid
	cp $T \$D/plain && chmod 755 \$D/plain
	printf '#!/opt/si/suid\n' >\$D/s1 && chmod 755 \$D/s1
	printf '#!/opt/si/s1\n' >\$D/s2 && chmod 755 \$D/s2
	printf '#!/opt/si/sgid\n' >\$D/g1 && chmod 755 \$D/g1
	printf '#!/opt/si/plain\n' >\$D/own && chmod 4755 \$D/own
	cp /bin/cat \$D/capcat && chmod 755 \$D/capcat
	python3 -c 'import os, struct; os.setxattr(\"/opt/si/capcat\", \"security.capability\", struct.pack(\"<5I\", 0x02000001, 4, 0, 0, 0))'
	printf '#!/opt/si/capcat\n' >\$D/c1 && chmod 755 \$D/c1
	echo root-only >/var/tmp/secret && chmod 600 /var/tmp/secret
	echo setup done"
expect_status 0 $? "set-ID interpreters made as root"
expect_grep '^setup done$' "$TMP/setup.out" "setup finished"

kbo "$TMP/user.out" --change-id 1000:1000 -R "$img" -- /bin/sh -c '
	D=/opt/si
	printf "#!/opt/si/suid\n" >/tmp/tmps && chmod 755 /tmp/tmps
	cp /opt/si/suid /tmp/suid 2>/dev/null; cp $D/plain /tmp/x && chmod 4755 /tmp/x
	echo s1: $($D/s1 ids)
	echo s2: $($D/s2 ids)
	echo g1: $($D/g1 ids)
	echo own: $($D/own ids)
	echo tmps: $(/tmp/tmps ids)
	echo c1: $($D/c1 /var/tmp/secret | tail -1)
	echo preload: $(/opt/kbox-tests/setid-exec run $D/s1)
	echo after: $(id -u) $(id -g)
	python3 -c "
import subprocess
a = [\"keep-me\"] * 3
r = subprocess.run([\"/opt/si/s1\", \"ids\"], capture_output=True, text=True)
print(\"vfork:\", r.returncode, r.stdout.strip(), a)"'
expect_status 0 $? "the scripts as uid 1000"
expect_grep '^s1: uid 1000 0 0 gid 1000 1000 1000' "$TMP/user.out" "set-user-ID root interpreter: euid and saved uid 0"
expect_grep '^s2: uid 1000 0 0 gid 1000 1000 1000' "$TMP/user.out" "nested #!: the last interpreter's bits"
expect_grep '^g1: uid 1000 1000 1000 gid 1000 50 50' "$TMP/user.out" "set-group-ID interpreter: egid and saved gid 50"
expect_grep '^own: uid 1000 1000 1000 gid 1000 1000 1000' "$TMP/user.out" "a set-user-ID script with a plain interpreter: nothing"
expect_grep '^tmps: uid 1000 0 0 ' "$TMP/user.out" "a script on a nosuid mount: its interpreter's bits still apply"
expect_grep '^c1: root-only$' "$TMP/user.out" "cap_dac_read_search+ep interpreter reads a 0600 root file"
expect_grep '^preload: uid 1000 0 0 .* preload \(unset\) libpath \(unset\)$' "$TMP/user.out" "a secure exec through the script drops LD_PRELOAD"
expect_grep '^after: 1000 1000$' "$TMP/user.out" "the shell keeps its own ids"
expect_grep "^vfork: 0 uid 1000 0 0 gid 1000 1000 1000 preload \(unset\) libpath \(unset\) \['keep-me', 'keep-me', 'keep-me'\]$" "$TMP/user.out" "from Python's subprocess (vfork): ids applied, the parent intact"

# the interpreter on a nosuid mount
kbo "$TMP/nosuid.out" -S "$img" -- /bin/sh -c '
	cp /opt/si/suid /tmp/suid1000 && chown 1000:1000 /tmp/suid1000 && chmod 4755 /tmp/suid1000
	printf "#!/tmp/suid1000\n" >/opt/si/tmpi && chmod 755 /opt/si/tmpi
	echo tmpi: $(/opt/si/tmpi ids)
	cp /opt/si/suid /opt/si/to1000 && chown 1000:1000 /opt/si/to1000 && chmod 4755 /opt/si/to1000
	printf "#!/opt/si/to1000\n" >/opt/si/t1000 && chmod 755 /opt/si/t1000
	echo t1000: $(/opt/si/t1000 ids)'
expect_grep '^tmpi: uid 0 0 0 ' "$TMP/nosuid.out" "an interpreter on nosuid /tmp: no change"
expect_grep '^t1000: uid 0 1000 1000 ' "$TMP/nosuid.out" "root runs a script whose interpreter is set-user-ID 1000"
kbo "$TMP/mnosuid.out" -m nosuid -S "$img" -- /opt/si/t1000 ids
expect_grep '^uid 0 0 0 ' "$TMP/mnosuid.out" "the image mounted -m nosuid: no change"
done_test
