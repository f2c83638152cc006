#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The command given to kbox by name is looked up on PATH as the guest's
# shell looks it up, through binds: kbox asked lx alone, whose walk stops
# at a bind's trap (EXDEV), so `-b DIR:/opt/tools -- mytool` with
# /opt/tools on PATH, or a file bound at /usr/local/bin/mytool, exited
# 127 where `sh -c mytool` inside ran it. execvp's rules hold: a file the
# guest may not run is remembered (126 if nothing else is found), a
# directory is passed over, an empty entry is the cwd (-w in a bind),
# and the right to run is the guest user's.
# And -w naming a bind through a link of the image (/lnk -> /opt/tools)
# was refused ("Invalid cross-device link"); chroot's cd goes in.
# Natively (a user namespace, mount --bind) bash gives the same statuses.
# shellcheck disable=SC2016 # expanded by the guest shell
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
for d in tools na dd ex; do mkdir -p "$TMP/$d"; done
printf '#!/bin/sh\necho "mytool ran $*"\n' >"$TMP/tools/mytool"
printf '#!/bin/sh\necho "ex ran"\n' >"$TMP/ex/mytool"
printf '#!/bin/sh\necho "noexec ran"\n' >"$TMP/na/mytool"
chmod 755 "$TMP/tools/mytool" "$TMP/ex/mytool"
chmod 644 "$TMP/na/mytool"
mkdir "$TMP/dd/mytool"
kbo "$TMP/prep" -S "$img" -- /bin/sh -c 'mkdir -p /opt/tools /opt/na /opt/dd /opt/ex &&
	ln -s /opt/tools /lnk && ln -s opt/tools /rlnk'
expect_status 0 $? "the image gets the places and links"
B=(-b "$TMP/na:/opt/na" -b "$TMP/dd:/opt/dd" -b "$TMP/ex:/opt/ex")

# run_path OUT PATH ARGS...: kbox with the guest's PATH set to PATH
run_path() {
	local out=$1 p=$2
	shift 2
	KB_WRAP="env PATH=$p" kbo "$out" "$@"
}

run_path "$TMP/o1" /usr/bin:/opt/tools:/bin -S "$img" -b "$TMP/tools:/opt/tools" -- mytool a
expect_status 0 $? "a command in a directory bind on PATH"
expect_grep '^mytool ran a$' "$TMP/o1" "it runs"
run_path "$TMP/o2" /usr/local/bin:/usr/bin:/bin -S "$img" \
	-b "$TMP/tools/mytool:/usr/local/bin/mytool" -- mytool b
expect_status 0 $? "a file bind on PATH"
expect_grep '^mytool ran b$' "$TMP/o2" "it runs"
run_path "$TMP/o3" /usr/local/bin:/usr/bin:/bin -S "$img" \
	-b "$TMP/tools:/usr/local/bin" -- mytool c
expect_status 0 $? "a bind over /usr/local/bin"
run_path "$TMP/o4" /lnk:/bin -S "$img" -b "$TMP/tools:/opt/tools" -- mytool d
expect_status 0 $? "a PATH entry that is a link to a bind"
expect_grep '^mytool ran d$' "$TMP/o4" "it runs"
run_path "$TMP/o5" /bin -S "$img" -b "$TMP/tools:/opt/tools" -- /rlnk/mytool e
expect_status 0 $? "a path through a relative link to a bind"
run_path "$TMP/o6" /bin -S "$img" -b "$TMP/tools:/opt/tools" -- mytool f
expect_status 127 $? "not on PATH: 127 as before"

# execvp's rules, against the guest's own bash for each PATH
for p in na na:ex dd dd:ex na:dd; do
	q=/opt/${p//:/:/opt/}
	run_path "$TMP/k-$p" "$q" -S "$img" "${B[@]}" -- mytool
	echo "$p $?" >>"$TMP/kbox.st"
	kbo "$TMP/g-$p" -S "$img" "${B[@]}" -- /usr/bin/env -i PATH="$q" /bin/bash -c mytool
	echo "$p $?" >>"$TMP/guest.st"
done
printf '%s\n' "na 126" "na:ex 0" "dd 127" "dd:ex 0" "na:dd 126" >"$TMP/want.st"
same_trace "$TMP/want.st" "$TMP/kbox.st" "kbox's statuses: 126 no right, 0 found later, 127 a directory"
same_trace "$TMP/want.st" "$TMP/guest.st" "the guest's bash gives the same"

# a file only root may run, looked up by guest user 1000: its exec would
# fail, so bash goes on to the next entry (kbox judged as root kbox)
if [ "$(id -u)" = 0 ]; then
	mkdir "$TMP/priv" && cp "$TMP/tools/mytool" "$TMP/priv/" && chmod 700 "$TMP/priv/mytool"
	run_path "$TMP/u1" /opt/na:/opt/ex -R "$img" --change-id 1000:1000 \
		-b "$TMP/priv:/opt/na" -b "$TMP/ex:/opt/ex" -- mytool
	expect_status 0 $? "a user passes over a file only root may run"
	expect_grep '^ex ran$' "$TMP/u1" "and runs the next one"
	run_path "$TMP/u2" /opt/na -R "$img" --change-id 1000:1000 \
		-b "$TMP/priv:/opt/na" -- mytool
	expect_status 126 $? "that file alone: 126"
fi

# -w in a bind, and through links to one
run_path "$TMP/w1" :/bin -S "$img" -b "$TMP/tools:/opt/tools" -w /opt/tools -- mytool g
expect_grep '^mytool ran g$' "$TMP/w1" "an empty PATH entry is -w, in a bind"
kbo "$TMP/w2" -S "$img" -b "$TMP/tools:/opt/tools" -w /lnk -- /bin/sh -c 'pwd -P; ./mytool h'
expect_status 0 $? "-w through an absolute link to a bind"
expect_grep '^/opt/tools$' "$TMP/w2" "the cwd is the bind"
expect_grep '^mytool ran h$' "$TMP/w2" "relative names are found there"
kbo "$TMP/w3" -S "$img" -b "$TMP/tools:/opt/tools" -w /rlnk -- ./mytool i
expect_grep '^mytool ran i$' "$TMP/w3" "-w through a relative link: the first command is found there"
run_path "$TMP/w4" :/bin -S "$img" -b "$TMP/tools:/opt/tools" -w /lnk -- mytool j
expect_grep '^mytool ran j$' "$TMP/w4" "and an empty PATH entry is that cwd"
kbo "$TMP/w5" -S "$img" -b "$TMP/tools:/opt/tools" -w /lnk/nosuch -- /bin/true
expect_status 1 $? "-w through a link to a missing directory in a bind"
expect_grep 'No such file or directory' "$TMP/w5" "is refused as missing"
kbo "$TMP/w6" -S "$img" -b "$TMP/tools:/opt/tools" -w /lnk/mytool -- /bin/true
expect_grep 'Not a directory' "$TMP/w6" "and a file there as no directory"

# natively: bash in a user namespace with the same binds
if command -v unshare >/dev/null && command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	nat=$(mktemp -d /tmp/kbox-901.XXXXXX) && chmod 755 "$nat"
	cp -a "$TMP/na" "$TMP/dd" "$TMP/ex" "$nat/" && mkdir "$nat/m" &&
		mkdir "$nat/m/na" "$nat/m/dd" "$nat/m/ex" && chmod -R a+rX "$nat"
	cat >"$nat/run.sh" <<EOF
for d in na dd ex; do mount --bind "$nat/\$d" "$nat/m/\$d" || exit 9; done
for p in na na:ex dd dd:ex na:dd; do
	q=$nat/m/\${p//:/:$nat/m/}
	env -i PATH="\$q" /bin/bash -c mytool >/dev/null 2>&1
	echo "\$p \$?"
done
EOF
	(cd "$nat" && setpriv --reuid=65534 --regid=65534 --clear-groups \
		unshare -rm bash "$nat/run.sh") >"$TMP/native.st" 2>&1
	if grep -q '^na ' "$TMP/native.st"; then
		same_trace "$TMP/want.st" "$TMP/native.st" "natively bash gives the same"
	else
		echo "note: no native run ($(head -1 "$TMP/native.st"))"
	fi
	rm -rf "$nat"
fi
done_test
