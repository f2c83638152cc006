/* SPDX-License-Identifier: MIT */
/*
 * personality(2) changes: ADDR_NO_RANDOMIZE (setarch -R, gdb's "disable
 * address space randomization") holds in this process and across exec;
 * PER_LINUX32 makes uname's machine the 32-bit one, UNAME26 the release
 * 2.6.x (setarch i686, setarch --uname-2.6). Usage: personality [exec]
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

#if defined(__x86_64__)
#define MACHINE32 "i686"
#else
#define MACHINE32 "armv8l"
#endif

int main(int argc, char **argv)
{
    struct utsname u0, u;
    int p0, st = -1;
    pid_t pid;

    if (argc == 2 && !strcmp(argv[1], "exec"))
        return (personality(0xffffffff) & ADDR_NO_RANDOMIZE) ? 0 : 3;
    p0 = personality(0xffffffff);
    check(p0 >= 0, "personality query: %#x", p0);
    check(personality(PER_LINUX | ADDR_NO_RANDOMIZE) == p0,
          "set ADDR_NO_RANDOMIZE: the old one back");
    check(personality(0xffffffff) == (PER_LINUX | ADDR_NO_RANDOMIZE),
          "it is set");
    pid = fork();
    if (pid == 0) {
        execl("/proc/self/exe", argv[0], "exec", (char *)NULL);
        _exit(127);
    }
    if (pid > 0 && waitpid(pid, &st, 0) != pid)
        st = -1;
    check(WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "a program it execs has it (status %#x)", st);
    check(uname(&u0) == 0, "uname: %s %s", u0.machine, u0.release);
    check(personality(PER_LINUX32) >= 0 && uname(&u) == 0 &&
              !strcmp(u.machine, MACHINE32),
          "PER_LINUX32: machine %s", u.machine);
    check(personality(PER_LINUX | UNAME26) >= 0 && uname(&u) == 0 &&
              !strncmp(u.release, "2.6.", 4) && !strcmp(u.machine, u0.machine),
          "UNAME26: release %s, machine %s", u.release, u.machine);
    check(personality(PER_LINUX) >= 0 && uname(&u) == 0 &&
              !strcmp(u.release, u0.release) && !strcmp(u.machine, u0.machine),
          "PER_LINUX: %s %s again", u.machine, u.release);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
