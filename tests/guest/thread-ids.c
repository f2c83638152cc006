/* SPDX-License-Identifier: MIT */
/*
 * Threads and credentials: after a process started as root drops to
 * another user (glibc's setuid changes every thread), a thread made
 * later has the new ids too, in the kernel's permission checks as well
 * as in getuid(). And the process's threads work side by side: one
 * blocked in a read does not hold up another's file calls.
 * Usage (as root): thread-ids DIR
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest-check.h"

static char secret[4096];

struct probe {
    uid_t uid;
    int open_errno; /* 0 when the open succeeded */
};

static void *probe_main(void *arg)
{
    struct probe *p = arg;
    int fd = open(secret, O_RDONLY);

    p->uid = getuid();
    p->open_errno = fd < 0 ? errno : 0;
    if (fd >= 0)
        close(fd);
    return NULL;
}

static pthread_barrier_t together;

static void *probe_together(void *arg)
{
    pthread_barrier_wait(&together);
    return probe_main(arg);
}

/* @n threads at once, each probing once they all exist. */
static int probe_many(int n, struct probe *p)
{
    pthread_t t[16];

    pthread_barrier_init(&together, NULL, (unsigned)n);
    for (int i = 0; i < n; i++) {
        p[i].uid = (uid_t)-1;
        p[i].open_errno = -1;
        if (pthread_create(&t[i], NULL, probe_together, &p[i]))
            return -1;
    }
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&together);
    return 0;
}

static struct probe probe_in_thread(void)
{
    struct probe p = { (uid_t)-1, -1 };
    pthread_t t;

    if (pthread_create(&t, NULL, probe_main, &p) == 0)
        pthread_join(t, NULL);
    return p;
}

static void *idle_main(void *arg)
{
    (void)arg;
    return NULL;
}

int main(int argc, char **argv)
{
    struct probe p;
    int fd;

    if (argc < 2 || getuid() != 0) {
        printf("FAIL - usage: thread-ids DIR, as root\n");
        return 1;
    }
    snprintf(secret, sizeof(secret), "%s/thread-ids-secret", argv[1]);
    fd = open(secret, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    check(fd >= 0 && write(fd, "s", 1) == 1 && close(fd) == 0,
          "a root-only file");

    /* threads made (and gone) while root */
    for (int i = 0; i < 4; i++) {
        pthread_t t;

        if (pthread_create(&t, NULL, idle_main, NULL) == 0)
            pthread_join(t, NULL);
    }
    p = probe_in_thread();
    check(p.uid == 0 && p.open_errno == 0,
          "while root, a thread opens it (uid %d, errno %d)", (int)p.uid,
          p.open_errno);
    {
        struct probe many[8];
        int ok = probe_many(8, many) == 0;

        for (int i = 0; i < 8; i++)
            ok = ok && many[i].uid == 0 && many[i].open_errno == 0;
        check(ok, "while root, 8 threads at once open it");
    }

    /* threads that make no call of their own just before the drop */
    for (int i = 0; i < 2; i++) {
        pthread_t t;

        if (pthread_create(&t, NULL, idle_main, NULL) == 0)
            pthread_join(t, NULL);
    }
    check(setgid(1000) == 0 && setuid(1000) == 0, "drop to 1000:1000");
    errno = 0;
    check(open(secret, O_RDONLY) < 0 && errno == EACCES,
          "the main thread is refused");
    for (int i = 0; i < 4; i++) {
        p = probe_in_thread();
        check(p.uid == 1000 && p.open_errno == EACCES,
              "thread %d made after the drop is refused too (uid %d, "
              "errno %d)",
              i, (int)p.uid, p.open_errno);
    }
    {
        struct probe many[8];
        int bad = probe_many(8, many) != 0;

        for (int i = 0; i < 8; i++)
            bad += many[i].uid != 1000 || many[i].open_errno != EACCES;
        check(!bad, "8 threads at once after the drop: all refused (%d not)",
              bad);
    }
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
