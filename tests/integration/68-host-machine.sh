#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The guest's processes run on the host's CPUs and memory, so /proc's
# cpuinfo, stat, meminfo, uptime and loadavg and /sys/devices/system/cpu
# describe the host, as sysinfo() already did. They were lx's: one CPU
# and lx's 128 MiB, so `getconf _NPROCESSORS_ONLN` and Python's
# os.cpu_count() said 1 (parallel builds and pools ran one job), free
# memory disagreed with sysinfo, and top saw no CPU time at all.
# Relative paths under those host directories are routed as absolute
# ones: ".." leads into the guest's tree, never the host's.
. "$(dirname "$0")/lib/common.sh"
require

ncpu=$(getconf _NPROCESSORS_ONLN)
mem=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
ncpudirs=$(find /sys/devices/system/cpu/ -maxdepth 1 -name 'cpu[0-9]*' | wc -l)
# a host file where ".." from the host directories would lead on the host
name="kbox-host-machine-$$"
marker="host-only-$$"
echo "$marker" >"/tmp/$name"
# shellcheck disable=SC2016 # expanded by the guest's shell
kbo "$TMP/out" -R "$IMG" -- /bin/sh -c '
	echo "online $(getconf _NPROCESSORS_ONLN)"
	python3 -c "import os; print(\"cpu_count\", os.cpu_count())"
	echo "cpuinfo $(grep -c ^processor /proc/cpuinfo)"
	awk "/^MemTotal:/ { print \"memtotal\", \$2 }" /proc/meminfo
	awk "/^cpu / { print \"stat busy\", (\$2 + \$4 > 0) }" /proc/stat
	echo "cpudirs $(find /sys/devices/system/cpu/ -maxdepth 1 -name "cpu[0-9]*" | wc -l)"
	echo guest-side >/tmp/'"$name"'

	python3 -c "
import os
for base in (\"/sys/devices/system/cpu\", \"/proc/self/\"):
    d = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
    rel = \"../../../../../tmp/'"$name"'\"
    print(\"relative\", base, open(os.open(rel, os.O_RDONLY, dir_fd=d)).read().strip())
d = os.open(\"/sys/devices/system/cpu\", os.O_RDONLY | os.O_DIRECTORY)
print(\"relative online\", open(os.open(\"online\", os.O_RDONLY, dir_fd=d)).read().strip())"'
expect_status 0 $? "the guest runs"
expect_grep "^online $ncpu$" "$TMP/out" "getconf _NPROCESSORS_ONLN is the host's ($ncpu)"
expect_grep "^cpu_count $ncpu$" "$TMP/out" "os.cpu_count() is the host's"
expect_grep "^cpuinfo $ncpu$" "$TMP/out" "/proc/cpuinfo lists the host's CPUs"
expect_grep "^memtotal $mem$" "$TMP/out" "/proc/meminfo is the host's memory"
expect_grep "^stat busy 1$" "$TMP/out" "/proc/stat counts the host's CPU time"
expect_grep "^cpudirs $ncpudirs$" "$TMP/out" "/sys/devices/system/cpu lists the host's CPUs"
expect_grep "^relative /sys/devices/system/cpu guest-side$" "$TMP/out" \
	"'..' under the host CPU directory stays in the guest's tree"
expect_grep "^relative /proc/self/ guest-side$" "$TMP/out" "'..' under /proc/self stays in the guest's tree"
expect_grep "^relative online " "$TMP/out" "a path relative to the CPU directory reaches its file"
rm -f "/tmp/$name"
if grep -q "$marker" "$TMP/out"; then
	fail "a host file was read" "$TMP/out"
else
	pass "no host file was read"
fi
# /proc/net is the host's network, which the guest shares: a guest's
# listening socket is in /proc/net/tcp (it was ENOENT: fuser, ss -s)
kbo "$TMP/net.out" -S "$(own_img)" -- /bin/sh -c '
	python3 -c "import socket,time; s=socket.socket(); s.bind((\"127.0.0.1\", 18097)); s.listen(); time.sleep(2)" &
	n=0; i=0 # python may take a while to start on a loaded machine
	while [ "$i" -lt 100 ] && [ "$n" = 0 ]; do
		sleep 0.1; i=$((i + 1)); n=$(grep -c ":46B1 00000000:0000 0A" /proc/net/tcp)
	done
	echo "listening $n"; wait'
expect_grep '^listening 1$' "$TMP/net.out" "/proc/net/tcp lists a guest's listening socket"
done_test
