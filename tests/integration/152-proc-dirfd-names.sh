#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Names read relative to a /proc or /proc/<pid> directory fd are what
# their absolute paths are (util-linux's lscpu, lsfd and lsmem read so):
# /proc's machine files (cpuinfo, meminfo, uptime, loadavg) and self/...
# were lx's (lscpu said "Vendor ID: lx", "CPU op-mode(s): 32-bit"; self/
# stat was lx's task, ppid 16 and no memory), readlinkat(<pid> fd, "exe")
# was ENOENT (lsfd showed no exe) and smaps_rollup was missing.
. "$(dirname "$0")/lib/common.sh"
require
kbo "$TMP/out" -S "$IMG" -- /usr/bin/python3 -c '
import os
p = os.getpid()
pr = os.open("/proc", os.O_RDONLY | os.O_DIRECTORY)
pd = os.open("/proc/%d" % p, os.O_RDONLY | os.O_DIRECTORY)
def rd(name, d=None):
    fd = os.open(name, os.O_RDONLY, dir_fd=d)
    s = os.read(fd, 4096).decode()
    os.close(fd)
    return s
first = lambda s: s.split("\n")[0]
vendor = lambda s: [l for l in s.split("\n") if l.startswith("vendor_id")]
print("cpuinfo", vendor(rd("/proc/cpuinfo")) == vendor(rd("cpuinfo", pr)))
print("meminfo", first(rd("/proc/meminfo")) == first(rd("meminfo", pr)))
print("self-ppid", rd("self/stat", pr).split()[3] == str(os.getppid()))
print("self-statm", int(rd("self/statm", pr).split()[1]) > 0)
print("exe", os.readlink("exe", dir_fd=pd) == os.readlink("/proc/%d/exe" % p))
print("exe-stat", os.stat("exe", dir_fd=pd).st_ino == os.stat("/usr/bin/python3").st_ino)
print("rollup", rd("smaps_rollup", pd).startswith(first(rd("/proc/self/smaps_rollup"))[:8]))'
expect_status 0 $? "reading /proc names relative to directory fds"
for k in cpuinfo meminfo self-ppid self-statm exe exe-stat rollup; do
    expect_grep "^$k True\$" "$TMP/out" "$k relative to a /proc directory fd"
done
done_test
