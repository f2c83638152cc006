#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A set-user-ID exec with more than 65536 environment variables: kbox
# takes glibc's unsecure variables (LD_PRELOAD, TMPDIR, ...) out of envp
# itself (src/exec/setid.c) and gave up past 65536 entries with E2BIG,
# where Linux takes any number that fits its argument space (100,000
# one-letter variables do). Now the whole array is walked: the program
# runs, gets every other variable, and the unsecure ones after the
# 65536th are gone too. The same exec natively (an ordinary env, as
# nobody) as the reference for the count.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
b=$TMP/b
mkdir -p "$b"
cat >"$b/many.py" <<'PY'
import os, sys
prog = sys.argv[1]
env = {"E%d" % i: "" for i in range(100000)}
env["LD_PRELOAD"] = "/nonexistent.so"
env["TMPDIR"] = "/nowhere"
env["ZLAST"] = "end"
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.dup2(w, 1)
    try:
        os.execve(prog, [prog], env)
    except OSError as e:
        os.write(2, ("exec: %s\n" % os.strerror(e.errno)).encode())
        os._exit(99)
os.close(w)
out = b""
while True:
    c = os.read(r, 1 << 20)
    if not c:
        break
    out += c
st = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
lines = out.decode().splitlines()
print("status", st, "vars", len(lines))
print("ZLAST" if "ZLAST=end" in lines else "no ZLAST")
print("LD_PRELOAD" if any(l.startswith("LD_PRELOAD=") for l in lines) else "no LD_PRELOAD")
print("TMPDIR" if any(l.startswith("TMPDIR=") for l in lines) else "no TMPDIR")
PY
kbo "$TMP/setup.out" -S "$img" -- /bin/sh -c '
	cp /usr/bin/env /usr/bin/senv && chown 0:0 /usr/bin/senv &&
	chmod 4755 /usr/bin/senv'
expect_status 0 $? "a set-user-ID copy of env made as root"
kbo "$TMP/out" --change-id 1000:1000 -R "$img" -b "$b:/mnt/b" -- \
	/usr/bin/python3 /mnt/b/many.py /usr/bin/senv
expect_status 0 $? "the guest user's run"
expect_grep '^status 0 vars 100001$' "$TMP/out" "100,003 variables: the set-ID exec runs, LD_PRELOAD and TMPDIR dropped"
expect_grep '^ZLAST$' "$TMP/out" "the last variable arrives"
expect_grep '^no LD_PRELOAD$' "$TMP/out" "LD_PRELOAD past the 65536th entry taken out"
expect_grep '^no TMPDIR$' "$TMP/out" "TMPDIR past the 65536th entry taken out"
kbo "$TMP/plain" --change-id 1000:1000 -R "$img" -b "$b:/mnt/b" -- \
	/usr/bin/python3 /mnt/b/many.py /usr/bin/env
expect_grep '^status 0 vars 100003$' "$TMP/plain" "without set-ID every variable arrives"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && [ -x /usr/bin/python3 ]; then
	d=$(mktemp -d /tmp/kbox-setid-many-env.XXXXXX) && chmod 755 "$d"
	cp "$b/many.py" "$d/"
	(cd "$d" && setpriv --reuid=65534 --regid=65534 --clear-groups \
		/usr/bin/python3 "$d/many.py" /usr/bin/env) >"$TMP/native" 2>&1
	expect_grep '^status 0 vars 100003$' "$TMP/native" "natively the exec takes them all"
	rm -rf "$d"
fi
done_test
