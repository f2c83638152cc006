#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A #! script keeps its environment whoever runs it: the script's longer
# argv was written over the caller's array in place and overwrote what
# followed it, which is envp for dash, env(1) and Python's execve (the
# script saw no environment at all; dpkg's maintainer helpers failed).
# A script takes more than 4094 arguments (was E2BIG), and an exec the
# host refuses with E2BIG leaves the caller's memory as it was (bash
# printed "d4/echo: Argument list too long"). kbox's own command may be
# a script without #!.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
kbo "$TMP/env.out" -S "$img" -- /bin/sh -c '
	printf "#!/bin/sh\necho \"\$1 FOO=\$FOO HOME=\$HOME args=\$#\"\n" >/tmp/s.sh
	printf "#!/bin/sh -e\necho \"\$1 FOO=\$FOO\"\n" >/tmp/e.sh
	chmod +x /tmp/s.sh /tmp/e.sh
	export FOO=bar HOME=/root
	sh -c "/tmp/s.sh dash"
	env FOO=baz /tmp/s.sh env
	/tmp/e.sh witharg
	python3 -c "import os; os.execve(\"/tmp/s.sh\", [\"s\", \"py-execve\"], {\"FOO\": \"py\"})"
	python3 -c "import subprocess; subprocess.run([\"/tmp/s.sh\", \"py-spawn\"], env={\"FOO\": \"sp\"})"
	/tmp/s.sh many $(seq 2 10000)
	/bin/echo $(head -c 3000000 /dev/zero | tr "\0" x) 2>/tmp/err
	echo "big status $?"; cat /tmp/err
	echo "after $(/bin/echo still-fine)"'
expect_status 0 $? "scripts run with their environment"
expect_grep '^dash FOO=bar HOME=/root args=1$' "$TMP/env.out" "from dash"
expect_grep '^env FOO=baz HOME=/root args=1$' "$TMP/env.out" "from env(1)"
expect_grep '^witharg FOO=bar$' "$TMP/env.out" "an interpreter with an argument"
expect_grep '^py-execve FOO=py HOME= args=1$' "$TMP/env.out" "from Python's execve"
expect_grep '^py-spawn FOO=sp HOME= args=1$' "$TMP/env.out" "from Python's subprocess"
expect_grep '^many FOO=bar HOME=/root args=10000$' "$TMP/env.out" "a script with 10000 arguments"
expect_grep '^big status 126$' "$TMP/env.out" "an exec with 3 MB of arguments fails"
expect_grep '/bin/echo: Argument list too long' "$TMP/env.out" "with the caller's path intact"
expect_grep '^after still-fine$' "$TMP/env.out" "the shell runs on"
# kbox's own command: a script without #! runs under /bin/sh, as execvp
# (and chroot) run it; it was "Exec format error"
kbo "$TMP/ns.out" -S "$img" -- /bin/sh -c \
	'printf "echo no-shebang ran \$1\n" >/root/ns.sh && chmod +x /root/ns.sh'
kbo "$TMP/ns2.out" -S "$img" -- /root/ns.sh arg1
expect_status 0 $? "a script without #! as kbox's command"
expect_grep '^no-shebang ran arg1$' "$TMP/ns2.out" "runs under /bin/sh"
done_test
