/* SPDX-License-Identifier: MIT */
/*
 * map-die: a process stores through a MAP_SHARED mapping of a file and
 * then dies without msync or munmap: SIGKILL, _exit, or execve. Linux's
 * stores are in the page cache at once, so every later reader sees them:
 * read() from a new fd here, and the file itself after the box is gone
 * (the integration test reads the image). A second round does the same
 * while another process still maps the file, so the stores outlive their
 * process only in the shared pages.
 *
 * Usage: map-die DIR          run every case, files stay in DIR
 *        map-die --exec-done  (internal: the image execve'd into)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

#define LEN 8192

static char self[512];

static void fill(char *p, const char *tag)
{
    size_t n = strlen(tag);

    for (size_t i = 0; i < LEN; i++)
        p[i] = tag[i % n];
}

/* The child: map PATH shared, store TAG's pattern, then die as HOW says. */
static void storer(const char *path, const char *tag, const char *how)
{
    int fd = open(path, O_RDWR);
    char *p;

    if (fd < 0)
        _exit(90);
    p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        _exit(91);
    close(fd);
    fill(p, tag);
    if (!strcmp(how, "kill"))
        raise(SIGKILL);
    if (!strcmp(how, "exec")) {
        char *argv[] = { self, "--exec-done", NULL };

        execv(self, argv);
        _exit(92);
    }
    _exit(0);
}

static int same_as(const char *path, const char *tag)
{
    static char want[LEN], got[LEN];
    ssize_t n = 0, r;
    int fd = open(path, O_RDONLY);

    if (fd < 0)
        return 0;
    while (n < LEN && (r = read(fd, got + n, LEN - n)) > 0)
        n += r;
    close(fd);
    fill(want, tag);
    return n == LEN && !memcmp(want, got, LEN);
}

static void one(const char *dir, const char *how, int held)
{
    char path[600], tag[64];
    char *keep = NULL;
    int fd, st = -1;
    pid_t pid;

    snprintf(path, sizeof(path), "%s/map-die.%s%s", dir, how,
             held ? ".held" : "");
    snprintf(tag, sizeof(tag), "<%s%s stored this>", how, held ? " held" : "");
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    check(fd >= 0 && ftruncate(fd, LEN) == 0, "%s: a file of %d bytes", path,
          LEN);
    if (held) {
        /* Another process (this one) maps the file for the whole case. */
        keep = mmap(NULL, LEN, PROT_READ, MAP_SHARED, fd, 0);
        check(keep != MAP_FAILED, "%s: mapped read-only here", path);
    }
    close(fd);
    pid = fork();
    if (pid == 0)
        storer(path, tag, how);
    waitpid(pid, &st, 0);
    if (!strcmp(how, "kill"))
        check(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
              "%s: the storer died of SIGKILL", path);
    else
        check(WIFEXITED(st) && WEXITSTATUS(st) == 0,
              "%s: the storer exited 0 (status %#x)", path, st);
    check(same_as(path, tag), "%s: read() from a new fd sees the stores", path);
    if (keep && keep != MAP_FAILED) {
        check(!memcmp(keep, tag, strlen(tag)),
              "%s: the other mapping sees them", path);
        /* exit with the mapping still there: the file must keep them */
    }
}

int main(int argc, char **argv)
{
    static const char *hows[] = { "kill", "exit", "exec" };

    if (argc == 2 && !strcmp(argv[1], "--exec-done"))
        return 0;
    if (argc != 2) {
        fprintf(stderr, "usage: map-die DIR\n");
        return 2;
    }
    if (readlink("/proc/self/exe", self, sizeof(self) - 1) < 0)
        strcpy(self, argv[0]);
    for (int held = 0; held < 2; held++)
        for (size_t i = 0; i < sizeof(hows) / sizeof(hows[0]); i++)
            one(argv[1], hows[i], held);
    return n_fail ? 1 : 0;
}
