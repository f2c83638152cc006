/* SPDX-License-Identifier: MIT */
/*
 * A 64-bit program making an i386 system call (int $0x80): Linux runs it
 * from the i386 table; kbox's filter answers ENOSYS without running it
 * (it killed the process with SIGSYS, so a program probing for the
 * 32-bit entry died).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <unistd.h>

#include "guest-check.h"

int main(void)
{
#if defined(__x86_64__)
    long r;

    /* i386 getpid is 20 (20 is lseek on x86_64: never run as that) */
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory");
    check(r == (long)getpid() || r == -ENOSYS,
          "int $0x80 getpid: the pid or -ENOSYS (%ld)", r);
#else
    check(1, "no i386 entry on this architecture");
#endif
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
