/* SPDX-License-Identifier: MIT */
/*
 * sigchld-thread: sigchld-eintr's check from a thread other than the
 * main one. The main thread blocks SIGCHLD and waits (pthread_join, or
 * image calls of its own with "busy"), so each child's SIGCHLD (handler
 * without SA_RESTART) goes to the worker thread, which forks the
 * children and meanwhile makes calls that never fail with EINTR natively
 * (stat, open, close). kbox holds a child's exit while its parent could
 * lose a request to the SIGCHLD, but looked at the parent's main thread
 * only, and only a request of the main thread let a held exit go.
 *
 * Usage: sigchld-thread [ROUNDS [FILE [busy]]]  (300, /etc/passwd)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t chld, chld_main;
static pthread_t main_thread;
static int rounds = 300;
static const char *file = "/etc/passwd";
static long eintr, other, calls, wrong;
static volatile int done;

static void on_chld(int sig)
{
    (void)sig;
    chld++;
    if (pthread_equal(pthread_self(), main_thread))
        chld_main++;
}

static void count(const char *what)
{
    errno == EINTR ? eintr++ : other++;
    fprintf(stderr, "%s: %s\n", what, strerror(errno));
}

static void *worker(void *arg)
{
    int status, live = 0;
    sigset_t set;

    (void)arg;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    for (int r = 0; r < rounds; r++) {
        pid_t pid = fork();

        if (pid == 0)
            _exit(0);
        if (pid < 0)
            count("fork");
        else
            live++;
        /* the child's exit lands somewhere in here */
        for (int k = 0; k < 20; k++) {
            struct stat st;
            int fd;

            calls++;
            if (stat(file, &st) < 0)
                count("stat");
            calls++;
            fd = open(file, O_RDONLY);
            if (fd < 0) {
                count("open");
                continue;
            }
            calls++;
            if (close(fd) < 0)
                count("close");
        }
        while (live > 0 && waitpid(-1, &status, WNOHANG) > 0) {
            live--;
            wrong += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
        }
    }
    while (live > 0) {
        pid_t w = waitpid(-1, &status, 0);

        if (w < 0 && errno == EINTR)
            continue; /* native too: wait4 is interruptible */
        if (w < 0)
            break;
        live--;
        wrong += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    }
    __atomic_store_n(&done, 1, __ATOMIC_RELEASE);
    return NULL;
}

int main(int argc, char **argv)
{
    bool busy = argc > 3 && !strcmp(argv[3], "busy");
    struct sigaction sa;
    sigset_t set;
    pthread_t t;
    long main_calls = 0;

    if (argc > 1)
        rounds = atoi(argv[1]);
    if (argc > 2)
        file = argv[2];
    main_thread = pthread_self();
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_chld; /* no SA_RESTART */
    sigaction(SIGCHLD, &sa, NULL);
    /* only the worker takes SIGCHLD (it unblocks it) */
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    if (pthread_create(&t, NULL, worker, NULL)) {
        printf("FAIL - pthread_create\n");
        return 1;
    }
    while (busy && !__atomic_load_n(&done, __ATOMIC_ACQUIRE)) {
        struct stat st;

        main_calls++;
        if (stat(file, &st) < 0)
            count("main stat");
    }
    pthread_join(t, NULL);
    printf("%d rounds, %ld calls (%ld in the main thread), %d SIGCHLD "
           "(%d to the main thread), %ld EINTR, %ld other errors, %ld "
           "children ended wrong\n",
           rounds, calls, main_calls, (int)chld, (int)chld_main, eintr, other,
           wrong);
    if (eintr || other || wrong || chld_main) {
        printf("FAIL - calls failed while SIGCHLD arrived\n");
        return 1;
    }
    printf("ok - no call failed with EINTR (%d SIGCHLD)\n", (int)chld);
    return 0;
}
