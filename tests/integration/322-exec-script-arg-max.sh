#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A #! script's exec at Linux's argument limit: binfmt_script drops
# argv[0] for the script's name and adds the interpreter and its
# argument, each checked against the limit the caller's arguments set
# (fs/exec.c argmin), so a script takes fewer bytes than its interpreter
# would. kbox checked only the caller's arguments: past the script's own
# limit the exec went ahead through the trampoline, whose exec of the
# interpreter then failed with the caller's image gone: exit 127, no
# E2BIG (execve, posix_spawn), and a script whose interpreter is missing
# said ENOENT where Linux says E2BIG first. Scripts in the image and in a
# bind, one and two #! levels; the same checks natively as a reference.
# kbox's limit for a script can be a few bytes below Linux's (see
# docs/supervisor-status.md): checked is E2BIG exactly past Linux's limit
# and, below it, a clean run or E2BIG, never the lost exec.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
b=$TMP/b
mkdir -p "$b"
cat >"$b/argmax.py" <<'PY'
import errno, os, sys
d = sys.argv[1]
def script(name, line):
    p = d + "/" + name
    with open(p, "w") as f:
        f.write("#!" + line + "\n")
    os.chmod(p, 0o755)
    return p
s1 = script("s1", "/bin/true")
s2 = script("s2", "/bin/true -opt")
s3 = script("s3", s1)
s4 = script("s4", "/nonexistent/interp")
soft = sys.argv[2]  # ulimit -s (the image's Python has no resource module)
limit = 6 << 20 if soft == "unlimited" else min(6 << 20, int(soft) * 1024 // 4)
limit = max(limit, 32 * 4096)
def argv_for(p, growth, over):
    # [p, 4095-byte strings..., z*x]: the largest x Linux takes, plus over
    for k in range(limit // 4104, 0, -1):
        used = 2 * (len(p) + 1) + 4096 * k + growth + (k + 2) * 8
        x = limit - used - 1
        if 0 <= x < 131071:
            return [p] + ["y" * 4095] * k + ["z" * (x + over)]
def run(how, p, argv):
    if how == "spawn":
        try:
            pid = os.posix_spawn(p, argv, {})
        except OSError as e:
            return errno.errorcode[e.errno]
    else:
        pid = os.fork()
        if pid == 0:
            try:
                os.execve(p, argv, {})
            except OSError as e:
                os._exit(200 + e.errno)
    st = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    return errno.errorcode[st - 200] if st >= 200 else "exit %d" % st
# growth: each level's interpreter and argument, with their NULs
cases = [(s1, 10), (s2, 15), (s3, len(s1) + 1 + 10)]
for how in ("exec", "spawn"):
    for p, g in cases:
        n = os.path.basename(p)
        print(how, n, "past", run(how, p, argv_for(p, g, 1)))
        # up to Linux's limit: runs, or E2BIG a few bytes early (kbox's
        # host exec counts the longer argv's pointers), never exit 127
        near = [run(how, p, argv_for(p, g, -o)) for o in range(0, 65, 4)]
        good = near[-1] == "exit 0" and all(
            x in ("exit 0", "E2BIG") for x in near) and "E2BIG" not in near[
                near.index("exit 0"):]
        print(how, n, "near", "ok" if good else " ".join(near))
    print(how, "s4 past", run(how, s4, argv_for(s4, 20, 1)))
PY
want=$(for how in exec spawn; do
	for s in s1 s2 s3; do
		echo "$how $s past E2BIG"
		echo "$how $s near ok"
	done
	echo "$how s4 past E2BIG"
done)
echo "$want" >"$TMP/want"
for where in /mnt/b /tmp; do
	kbo "$TMP/out" -S "$img" -b "$b:/mnt/b" -- /bin/sh -c \
		'exec /usr/bin/python3 /mnt/b/argmax.py "$0" "$(ulimit -s)"' "$where"
	expect_status 0 $? "scripts in $where at and past the limit"
	if cmp -s "$TMP/want" "$TMP/out"; then
		pass "$where: E2BIG exactly where Linux puts it"
	else
		diff "$TMP/want" "$TMP/out" | sed 's/^/    | /'
		fail "$where: boundaries differ from Linux's"
	fi
done
kbo "$TMP/out" --change-id 1000:1000 -R "$img" -b "$b:/mnt/b" -- /bin/sh -c \
	'exec /usr/bin/python3 /mnt/b/argmax.py /var/tmp "$(ulimit -s)"'
expect_status 0 $? "as a user, scripts in /var/tmp"
cmp -s "$TMP/want" "$TMP/out" && pass "/var/tmp as a user: same" || {
	diff "$TMP/want" "$TMP/out" | sed 's/^/    | /'
	fail "/var/tmp as a user: boundaries differ"
}
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && [ -x /usr/bin/python3 ]; then
	d=$(mktemp -d /tmp/kbox-exec-arg-max.XXXXXX) && chmod 777 "$d"
	cp "$b/argmax.py" "$d/"
	(cd "$d" && setpriv --reuid=65534 --regid=65534 --clear-groups \
		/usr/bin/python3 "$d/argmax.py" "$d" "$(ulimit -s)") >"$TMP/native" 2>&1
	cmp -s "$TMP/want" "$TMP/native" && pass "natively the same" ||
		fail "natively: $(tr '\n' ';' <"$TMP/native")"
	rm -rf "$d"
fi
done_test
