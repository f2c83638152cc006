/* SPDX-License-Identifier: MIT */
/*
 * msgsnd with a buffer the caller cannot read: Linux reads mtype first
 * (EFAULT), then checks the size, queue id and type (EINVAL), then
 * copies the text (EFAULT). kbox crashed (SIGSEGV in lx) on a NULL or
 * unmapped msgp: lx's user copies are plain memcpy. Found by trinity.
 * Passes natively too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <unistd.h>

#include "guest-check.h"

static int snd_errno(int id, void *p, size_t n)
{
    errno = 0;
    if (msgsnd(id, p, n, IPC_NOWAIT) == 0)
        return 0;
    return errno;
}

int main(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    int id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    char *m;
    long *tail;
    int e;

    check(id >= 0, "msgget");
    /* one readable page followed by an unmapped one */
    m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
             -1, 0);
    check(m != MAP_FAILED && munmap(m + pg, pg) == 0, "mapping with a hole");
    tail = (long *)(m + pg - sizeof(long));

    e = snd_errno(id, NULL, 16);
    check(e == EFAULT, "msgsnd(NULL) is EFAULT (got %d)", e);
    e = snd_errno(id, m + pg, 16);
    check(e == EFAULT, "msgsnd(unmapped) is EFAULT (got %d)", e);
    *tail = 1;
    e = snd_errno(id, tail, 16);
    check(e == EFAULT, "text past the mapping is EFAULT (got %d)", e);
    e = snd_errno(id, tail, 1 << 20);
    check(e == EINVAL, "a size above msgmax is EINVAL first (got %d)", e);
    e = snd_errno(-1, tail, 16);
    check(e == EINVAL, "a negative id is EINVAL first (got %d)", e);
    *tail = 0;
    e = snd_errno(id, tail, 16);
    check(e == EINVAL, "mtype 0 is EINVAL first (got %d)", e);
    *tail = 1;
    e = snd_errno(id, tail, 0);
    check(e == 0, "a message of no text from the page's end is sent");
    check(msgctl(id, IPC_RMID, NULL) == 0, "IPC_RMID");
    return n_fail ? 1 : 0;
}
