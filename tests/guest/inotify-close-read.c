/* SPDX-License-Identifier: MIT */
/*
 * A thread blocked in read() of an inotify instance with a watch on a
 * bind (kbox pairs a host instance with it) while another thread closes
 * the fd, rounds times. kbox freed the paired instance's record under
 * the reader (use after free; under ASAN kbox aborted), and never freed
 * it when nobody was reading (a leak per instance). With "event", each
 * read must return the event made after the close, as natively (kbox's
 * ended with EAGAIN: it looked the closed fd up again).
 * Usage: inotify-close-read BINDDIR ROUNDS [event]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "guest-check.h"

static int fd;
static ssize_t got;

static void *reader(void *arg)
{
    char b[4096];

    (void)arg;
    /* natively it gets the event below; kbox may end it earlier */
    got = read(fd, b, sizeof(b));
    if (got < 0)
        got = -errno;
    return NULL;
}

int main(int argc, char **argv)
{
    int rounds = argc > 2 ? atoi(argv[2]) : 3, done = 0, events = 0;
    int want_event = argc > 3 && !strcmp(argv[3], "event");
    char p[4096];

    if (argc < 2) {
        fprintf(stderr, "usage: inotify-close-read BINDDIR [ROUNDS]\n");
        return 2;
    }
    for (int i = 0; i < rounds; i++) {
        pthread_t t;

        fd = inotify_init1(IN_CLOEXEC);
        if (fd < 0 || inotify_add_watch(fd, argv[1], IN_CREATE) < 0)
            break;
        if (pthread_create(&t, NULL, reader, NULL))
            break;
        usleep(100000); /* the reader is in read() */
        close(fd);
        usleep(100000); /* its instance is gone in kbox */
        snprintf(p, sizeof(p), "%s/f%d", argv[1], i);
        close(open(p, O_CREAT | O_WRONLY, 0644));
        pthread_join(t, NULL);
        done++;
        if (got > 0)
            events++;
        else if (want_event)
            printf("round %d: read() returned %zd\n", i, got);
    }
    check(done == rounds, "%d of %d rounds of close() under a blocked read()",
          done, rounds);
    if (want_event)
        check(events == rounds, "%d of %d reads returned the event", events,
              rounds);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
