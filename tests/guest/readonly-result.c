/* SPDX-License-Identifier: MIT */
/*
 * A result the guest cannot store (a read-only page, .rodata) is EFAULT
 * and the memory keeps its bytes, as copy_to_user() makes it: kbox wrote
 * results like a debugger, through page protections. An exec whose path
 * is a string literal still runs (kbox's own rewrite of it may write
 * there). Usage: readonly-result
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static const char konst[256] = "CONSTANT-DATA";

int main(void)
{
    char *ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int fd, st = -1;
    pid_t pid;

    check(ro != MAP_FAILED, "a page");
    if (ro == MAP_FAILED)
        return 1;
    strcpy(ro, "original");
    check(mprotect(ro, 4096, PROT_READ) == 0, "made read-only");
    errno = 0;
    check(uname((struct utsname *)ro) == -1 && errno == EFAULT,
          "uname into it: EFAULT");
    errno = 0;
    check(fstatat(AT_FDCWD, "/", (struct stat *)ro, 0) == -1 && errno == EFAULT,
          "fstatat into it: EFAULT");
    errno = 0;
    check(readlink("/proc/self/exe", ro, 100) == -1 && errno == EFAULT,
          "readlink into it: EFAULT");
    fd = open("/etc/passwd", O_RDONLY);
    errno = 0;
    check(fd >= 0 && read(fd, ro, 100) == -1 && errno == EFAULT,
          "read of a file into it: EFAULT");
    errno = 0;
    check(fstatat(AT_FDCWD, "/", (struct stat *)(uintptr_t)konst, 0) == -1 &&
              errno == EFAULT,
          "fstatat into .rodata: EFAULT");
    check(!strcmp(ro, "original") && !strcmp(konst, "CONSTANT-DATA"),
          "both keep their bytes");
    pid = fork();
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", "exit 7", (char *)NULL);
        _exit(127);
    }
    if (pid > 0 && waitpid(pid, &st, 0) != pid)
        st = -1;
    check(WIFEXITED(st) && WEXITSTATUS(st) == 7,
          "an exec of a string literal's path runs (status %#x)", st);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
