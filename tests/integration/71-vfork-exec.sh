#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# An exec from a child sharing its parent's memory (vfork, posix_spawn,
# system, popen) leaves the parent's memory as it was: kbox rewrites the
# path in place for the host's exec and used to leave it rewritten, so
# gcc aborted on every compile (free() of a moved argv[0]) and make's and
# system()'s /bin/sh failed with status 127 (tests/guest/vfork-exec).
# Then the developer's view: make runs its recipes through /bin/sh.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" vfork-exec /tmp
run_guest_test "--change-id 1000:1000 -R" vfork-exec /tmp

# shellcheck disable=SC2016 # expanded by the guest's shell
kbo "$TMP/make.out" -R "$IMG" -- /bin/sh -c '
	cd /tmp
	printf "all:\n\t@echo recipe-a; echo recipe-b\n\t@/bin/sh -c \"exit 0\" && echo recipe-c\n" >Makefile
	busybox make 2>/dev/null || python3 -c "
import subprocess, sys
for cmd in ([\"/bin/echo\", \"spawned-a\"], [\"sh\", \"-c\", \"echo spawned-b\"]):
    subprocess.run(cmd, check=True)
print(\"status\", subprocess.run([\"/bin/sh\", \"-c\", \"exit 4\"]).returncode)"'
expect_status 0 $? "the guest runs"
expect_grep '^spawned-a$|^recipe-a$' "$TMP/make.out" "a program spawned by absolute path runs"
expect_grep '^spawned-b$|^recipe-b$' "$TMP/make.out" "a shell command runs"

# Python runs subprocesses with vfork and frees their argv at once: a #!
# script's longer argv, written over it, crashed it ("free(): invalid
# pointer") on the first script it ran. Then the path kbox put back while
# Python ran on clobbered memory it had reused: a segfault in one run of
# twenty scripts in two; sixty make it all but certain.
# shellcheck disable=SC2016 # expanded by the guest's shell
kbo "$TMP/py.out" -R "$IMG" -- /bin/sh -c '
	printf "#!/bin/sh\necho \"script \$0 \$1\"\n" >/tmp/s.sh
	chmod +x /tmp/s.sh
	python3 -c "
import subprocess
for i in range(60):
    out = subprocess.run([\"/tmp/s.sh\", \"arg%d\" % i], capture_output=True, text=True).stdout
    assert out == \"script /tmp/s.sh arg%d\\n\" % i, out
print(\"sixty scripts ran\")"'
expect_status 0 $? "python3 runs #! scripts as subprocesses"
expect_grep '^sixty scripts ran$' "$TMP/py.out" "each got its own name and argument"
done_test
