/* SPDX-License-Identifier: MIT */
/*
 * One thread of a process calls execve while its main thread calls
 * _exit(3) (exit_group). Natively either wins: the process ends with
 * status 3, or the exit_group's caller dies in the exec (de_thread) and
 * the new program runs with the old process's fds (close-on-exec ones
 * closed), cwd and ids. kbox took the process for ended at the
 * exit_group and, when the host's exec won, answered every call of the
 * new program EPERM ("noproc"): it could not even write or exit.
 * Each round's child delays its exit by a different time after the
 * exec'ing thread starts, to sweep the window. A round passes with
 * status 3 and no output, or status 0 and the new program's "NEW ok";
 * the run stops at the fifth failed round.
 * With "leader", the main thread execs and the other thread exits.
 * usage: exec-exit-race [ROUNDS [MAXUS [leader]]]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char self[4096];
static char uidbuf[32];
static volatile int started;
static long delay; /* ns from the exec'ing thread's start to the exit */

/* The new program: its state is the old process's, and its calls work. */
static int new_program(const char *uid)
{
    char buf[4096], line[256];
    struct stat st;

    if (fstat(10, &st) || read(10, buf, 5) != 5 || memcmp(buf, "root:", 5)) {
        snprintf(line, sizeof(line), "NEW FAIL fd 10: %s\n", strerror(errno));
        goto bad;
    }
    if (fcntl(11, F_GETFD) != -1 || errno != EBADF) {
        snprintf(line, sizeof(line), "NEW FAIL close-on-exec fd 11 open\n");
        goto bad;
    }
    if (!getcwd(buf, sizeof(buf)) || strcmp(buf, "/tmp")) {
        snprintf(line, sizeof(line), "NEW FAIL cwd: %s\n", strerror(errno));
        goto bad;
    }
    if ((unsigned)atoi(uid) != getuid()) {
        snprintf(line, sizeof(line), "NEW FAIL uid %u\n", getuid());
        goto bad;
    }
    if (write(1, "NEW ok\n", 7) != 7)
        return 6;
    return 0;
bad:
    if (write(1, line, strlen(line)) < 0)
        return 7;
    return 5;
}

static void *execer(void *a)
{
    char *argv[] = { self, "--new", uidbuf, NULL };

    (void)a;
    started = 1;
    execv(self, argv);
    dprintf(1, "FAIL execv: %s\n", strerror(errno));
    _exit(4);
}

static long now_ns(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

static void *exiter(void *a)
{
    (void)a;
    while (!started)
        ;
    for (long t0 = now_ns(); now_ns() - t0 < delay;)
        ;
    _exit(3);
}

int main(int argc, char **argv)
{
    int rounds, maxus, leader, bad = 0, won_exec = 0, won_exit = 0;

    if (argc > 2 && !strcmp(argv[1], "--new"))
        return new_program(argv[2]);
    rounds = argc > 1 ? atoi(argv[1]) : 300;
    maxus = argc > 2 ? atoi(argv[2]) : 1500;
    if (maxus < 1)
        maxus = 1;
    leader = argc > 3 && !strcmp(argv[3], "leader");
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) {
        printf("FAIL - readlink /proc/self/exe\n");
        return 1;
    }
    self[n] = 0;
    snprintf(uidbuf, sizeof(uidbuf), "%u", getuid());
    setvbuf(stdout, NULL, _IONBF, 0);
    /* a failed round costs kbox's noproc wait on each call: stop early */
    for (int i = 0; i < rounds && bad < 5; i++) {
        int p[2], st = 0;
        char out[512];
        size_t got = 0;
        ssize_t k;
        pid_t pid;

        if (pipe(p)) {
            printf("FAIL - pipe\n");
            return 1;
        }
        pid = fork();
        if (pid < 0) {
            printf("FAIL - fork\n");
            return 1;
        }
        if (pid == 0) {
            pthread_t t;
            int fd;

            delay = (long)((i * 37) % maxus) * 1000;

            dup2(p[1], 1);
            close(p[0]);
            close(p[1]);
            if (chdir("/tmp"))
                _exit(8);
            fd = open("/etc/passwd", O_RDONLY);
            if (fd < 0 || dup2(fd, 10) != 10)
                _exit(8);
            fd = open("/", O_RDONLY | O_DIRECTORY);
            if (fd < 0 || dup2(fd, 11) != 11 || fcntl(11, F_SETFD, FD_CLOEXEC))
                _exit(8);
            if (leader) {
                if (pthread_create(&t, NULL, exiter, NULL))
                    _exit(8);
                execer(NULL);
            }
            if (pthread_create(&t, NULL, execer, NULL))
                _exit(8);
            exiter(NULL);
        }
        close(p[1]);
        while (got < sizeof(out) - 1 &&
               (k = read(p[0], out + got, sizeof(out) - 1 - got)) > 0)
            got += (size_t)k;
        out[got] = 0;
        close(p[0]);
        if (waitpid(pid, &st, 0) != pid) {
            printf("FAIL - round %d: waitpid\n", i);
            return 1;
        }
        if (WIFEXITED(st) && WEXITSTATUS(st) == 3 && !got) {
            won_exit++;
        } else if (WIFEXITED(st) && WEXITSTATUS(st) == 0 &&
                   !strcmp(out, "NEW ok\n")) {
            won_exec++;
        } else {
            printf("FAIL - round %d: status %#x, output \"%.*s\"\n", i, st,
                   (int)strcspn(out, "\n"), out);
            bad++;
        }
    }
    printf("%s - %d rounds%s: exec won %d, exit won %d, failed %d\n",
           bad ? "FAIL" : "ok", won_exec + won_exit + bad,
           leader ? " (the leader execs)" : "", won_exec, won_exit, bad);
    return bad ? 1 : 0;
}
