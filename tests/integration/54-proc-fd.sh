#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# /proc/<pid>/fd and fdinfo show the guest's own fd numbers, image files
# and host objects alike, for the process itself and for other guest
# processes, as root and as a normal user; opening an entry is a new open
# of the file (its own offset), as on Linux.
. "$(dirname "$0")/lib/common.sh"
require
# The guest inherits the fds kbox gets (155-inherited-fds): give it none
# past 2, so its listing is only its own (bash's script fd 255 is
# close-on-exec).
for f in /proc/$$/fd/*; do
	f=${f##*/}
	[ "$f" -gt 2 ] && [ "$f" -ne 255 ] && eval "exec $f>&-"
done

mkdir -p "$TMP/share"
echo "bound" >"$TMP/share/b.txt"

cat >"$TMP/share/fds.py" <<'EOF'
import os, sys
pfx = sys.argv[1]
img = os.open("/etc/passwd", os.O_RDONLY)        # an image file
r, w = os.pipe()                                   # host objects
bnd = os.open("/mnt/b.txt", os.O_RDONLY)           # a file in a bind
os.read(img, 5)
mine = sorted(int(x) for x in os.listdir("/proc/self/fd"))
want = [0, 1, 2, img, r, w, bnd]
# the listing holds every fd we have and nothing else, but the one the
# listing itself used (it is closed again by then)
print(pfx, "list", all(f in mine for f in want) and len(mine) <= len(want) + 1)
print(pfx, "img", os.readlink("/proc/self/fd/%d" % img))
print(pfx, "pid-img", os.readlink("/proc/%d/fd/%d" % (os.getpid(), img)))
print(pfx, "pipe", os.readlink("/proc/self/fd/%d" % r).startswith("pipe:["))
print(pfx, "bind", os.readlink("/proc/self/fd/%d" % bnd))
pos = [l for l in open("/proc/self/fdinfo/%d" % img) if l.startswith("pos:")]
print(pfx, "fdinfo", pos[0].split()[1])
st = os.lstat("/proc/self/fd/%d" % img)
print(pfx, "owner-img", st.st_uid == os.geteuid())
st = os.lstat("/proc/self/fd/%d" % r)
print(pfx, "owner-pipe", st.st_uid == os.geteuid())
print(pfx, "owner-status", os.stat("/proc/self/status").st_uid == os.geteuid())
print(pfx, "stat-follow", os.stat("/proc/self/fd/%d" % img).st_ino == os.fstat(img).st_ino)
g = os.open("/proc/self/fd/%d" % img, os.O_RDONLY)
print(pfx, "reopen", os.lseek(g, 0, os.SEEK_CUR), os.lseek(img, 0, os.SEEK_CUR))
os.write(w, b"through the pipe\n")
pid = os.fork()
if pid == 0:
    pp = os.getppid()
    try:
        print(pfx, "peer-img", os.readlink("/proc/%d/fd/%d" % (pp, img)))
        with open("/proc/%d/fd/%d" % (pp, img)) as f:
            print(pfx, "peer-read", f.readline().split(":")[0])
        print(pfx, "peer-list", sorted(int(x) for x in os.listdir("/proc/%d/fd" % pp)) ==
              sorted(want + [g]))
        with open("/proc/%d/fd/%d" % (pp, r)) as f:
            print(pfx, "peer-pipe", f.readline().strip())
    except OSError as e:
        print(pfx, "peer-error", e)
    os._exit(0)
os.waitpid(pid, 0)
EOF

for who in "-S" "--change-id 1000:1000 -R"; do
	# shellcheck disable=SC2086 # the identity options are several words
	kbo "$TMP/out" $who "$IMG" -b "$TMP/share:/mnt" -- /usr/bin/python3 /mnt/fds.py X
	expect_status 0 $? "python3 reading /proc/self/fd ($who)"
	for l in "X list True" "X img /etc/passwd" "X pid-img /etc/passwd" \
		"X pipe True" "X bind /mnt/b.txt" "X fdinfo 5" "X owner-img True" \
		"X owner-pipe True" "X owner-status True" "X stat-follow True" \
		"X reopen 0 5" "X peer-img /etc/passwd" "X peer-read root" \
		"X peer-list True" "X peer-pipe through the pipe"; do
		expect_grep "^$l\$" "$TMP/out" "$l ($who)"
	done
done

# The shell's view: ls -l of its own and its parent's fd table
# shellcheck disable=SC2016 # expanded by the guest's shell
kbo "$TMP/sh" -S "$IMG" -- /bin/sh -c '
	exec 3</etc/hostname 4</etc/passwd
	ls -l /proc/self/fd/ | sed -n "s/.* \([0-9]*\) -> \(.*\)/self \1 \2/p"
	ls -l /proc/$$/fd/ | sed -n "s/.* \([0-9]*\) -> \(.*\)/parent \1 \2/p"'
expect_status 0 $? "ls -l /proc/self/fd"
expect_grep '^self 3 /etc/hostname$' "$TMP/sh" "ls -l /proc/self/fd names fd 3"
expect_grep '^self 4 /etc/passwd$' "$TMP/sh" "ls -l /proc/self/fd names fd 4"
expect_grep '^parent 3 /etc/hostname$' "$TMP/sh" "ls -l /proc/\$\$/fd names fd 3"
expect_grep '^parent 4 /etc/passwd$' "$TMP/sh" "ls -l /proc/\$\$/fd names fd 4"
if grep -q 'cannot access\|No such' "$TMP/sh"; then
	fail "ls -l /proc/self/fd reported missing entries: $(head -3 "$TMP/sh")"
fi
done_test
