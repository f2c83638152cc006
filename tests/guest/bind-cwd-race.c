/* SPDX-License-Identifier: MIT */
/*
 * bind-cwd-race: one thread moves the cwd between two directories of a
 * bind (chdir and fchdir, in turn) while other threads, and a process
 * sharing the fs by clone(CLONE_FS), make relative calls: every answer
 * must be one of the two directories'. kbox read the cwd's text while a
 * chdir rewrote it (fchdir wrote it a component at a time), so a call
 * could start from a mix of the two or from a prefix of one ("/",
 * "/mnt"): decoy directories with a file "probe" sit at every such
 * place. Meanwhile one thread sets the umask and reads back the old one
 * while another creates files in the bind: kbox read the umask for a
 * create by setting it to 0 and back, so the umask call saw 0 and a
 * file could take the wrong mode.
 *
 * Usage: bind-cwd-race BIND [ROUNDS]   (BIND the root of a bind, run as
 * guest root: "probe" is made in / and BIND/.. too)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

#define READERS 2

static char AB[PATH_MAX], BA[PATH_MAX], UM[PATH_MAX], DONE[PATH_MAX];
static ino_t ino_ab, ino_ba;
static atomic_int done, bad, umask_bad, mode_bad;
static long rounds = 4000;

/* report the first few, count all */
static void odd(const char *fmt, const char *a, long b)
{
    if (atomic_fetch_add(&bad, 1) < 10) {
        printf("FAIL - ");
        printf(fmt, a, b);
        printf("\n");
    }
}

/* one round of relative calls: each answer is one of the two's */
static void probe_once(void)
{
    char buf[PATH_MAX];
    struct stat st;
    long n;
    int fd;

    if (stat(".", &st) == 0 && st.st_ino != ino_ab && st.st_ino != ino_ba)
        odd("stat(\".\") is neither directory (%s inode %ld)", "",
            (long)st.st_ino);
    if (stat("probe", &st) == 0)
        odd("stat(\"probe\") found a decoy%s (inode %ld)", "", (long)st.st_ino);
    fd = open("probe", O_RDONLY);
    if (fd >= 0) {
        odd("open(\"probe\") found a decoy%s (%ld)", "", fd);
        close(fd);
    }
    n = syscall(SYS_getcwd, buf, sizeof(buf));
    if (n > 0 && strcmp(buf, AB) && strcmp(buf, BA))
        odd("getcwd gave \"%s\" (%ld)", buf, n);
    if (stat("in-ab", &st) == 0 && st.st_ino == ino_ba)
        odd("in-ab%s has ba's inode %ld", "", (long)st.st_ino);
}

/* forks whose children check the cwd they were given (a fork is
 * handled while the next request is: the copy of a cwd being changed) */
static void *forker(void *arg)
{
    (void)arg;
    while (!atomic_load(&done)) {
        int st = 0;
        pid_t pid = fork();

        if (pid == 0) {
            probe_once();
            _exit(atomic_load(&bad) ? 1 : 0);
        }
        if (pid > 0 && waitpid(pid, &st, 0) == pid &&
            !(WIFEXITED(st) && !WEXITSTATUS(st)))
            odd("a forked child%s saw neither directory (%#lx)", "", (long)st);
    }
    return NULL;
}

static void *reader(void *arg)
{
    (void)arg;
    while (!atomic_load(&done))
        probe_once();
    return NULL;
}

/* umask(022) answers 022 every time: nothing else changes it */
static void *umasker(void *arg)
{
    (void)arg;
    while (!atomic_load(&done)) {
        mode_t old = umask(022);

        if (old != 022 && atomic_fetch_add(&umask_bad, 1) < 5)
            printf("FAIL - umask(022) returned %03o, not 022\n", (unsigned)old);
    }
    return NULL;
}

/* files made in the bind take the umask 022: 0644 */
static void *creator(void *arg)
{
    char p[PATH_MAX + 32];
    struct stat st;
    long i = 0;

    (void)arg;
    while (!atomic_load(&done)) {
        int fd;

        snprintf(p, sizeof(p), "%s/f%ld", UM, i++ % 8);
        fd = open(p, O_CREAT | O_EXCL | O_WRONLY, 0666);
        if (fd < 0)
            continue;
        if (fstat(fd, &st) == 0 && (st.st_mode & 0777) != 0644 &&
            atomic_fetch_add(&mode_bad, 1) < 5)
            printf("FAIL - a file made in the bind is %03o, not 0644\n",
                   (unsigned)(st.st_mode & 0777));
        close(fd);
        unlink(p);
    }
    return NULL;
}

static void decoy(const char *dir)
{
    char p[PATH_MAX + 16];
    int fd;

    mkdir(dir, 0755);
    snprintf(p, sizeof(p), "%s/probe", dir);
    fd = open(p, O_CREAT | O_WRONLY, 0644);
    if (fd >= 0) /* not in / natively, as nobody */
        close(fd);
}

int main(int argc, char **argv)
{
    char p[PATH_MAX + 16], parent[PATH_MAX];
    pthread_t th[READERS + 3];
    struct stat st;
    int fab, fba, fd, wst = 0;
    pid_t kid;

    if (argc < 2)
        return 2;
    if (argc > 2)
        rounds = atol(argv[2]);
    setvbuf(stdout, NULL, _IONBF, 0);
    umask(022);
    snprintf(AB, sizeof(AB), "%s/ab", argv[1]);
    snprintf(BA, sizeof(BA), "%s/ba", argv[1]);
    snprintf(UM, sizeof(UM), "%s/um", argv[1]);
    snprintf(DONE, sizeof(DONE), "%s/.race-done", argv[1]);
    unlink(DONE);
    mkdir(AB, 0755);
    mkdir(BA, 0755);
    mkdir(UM, 0777);
    snprintf(p, sizeof(p), "%s/in-ab", AB);
    fd = open(p, O_CREAT | O_WRONLY, 0644);
    if (fd >= 0)
        close(fd);
    /* where a torn or partial text of either would lead */
    snprintf(parent, sizeof(parent), "%s/..", argv[1]);
    decoy("/");
    decoy(parent);
    decoy(argv[1]);
    snprintf(p, sizeof(p), "%s/aa", argv[1]);
    decoy(p);
    snprintf(p, sizeof(p), "%s/bb", argv[1]);
    decoy(p);
    fab = open(AB, O_RDONLY | O_DIRECTORY);
    fba = open(BA, O_RDONLY | O_DIRECTORY);
    check(fab >= 0 && fba >= 0, "open both directories");
    if (fab < 0 || fba < 0)
        return 1;
    fstat(fab, &st);
    ino_ab = st.st_ino;
    fstat(fba, &st);
    ino_ba = st.st_ino;
    check(chdir(AB) == 0, "chdir %s", AB);

    /* a process sharing the fs probes too */
    kid = (pid_t)syscall(SYS_clone, CLONE_FS | SIGCHLD, 0, 0, 0, 0);
    if (kid == 0) {
        while (getppid() != 1 && stat(DONE, &st) != 0)
            probe_once();
        _exit(atomic_load(&bad) ? 1 : 0);
    }
    for (int i = 0; i < READERS; i++)
        pthread_create(&th[i], NULL, reader, NULL);
    pthread_create(&th[READERS], NULL, umasker, NULL);
    pthread_create(&th[READERS + 1], NULL, creator, NULL);
    pthread_create(&th[READERS + 2], NULL, forker, NULL);
    for (long i = 0; i < rounds; i++) {
        switch (i % 4) {
        case 0:
            fchdir(fba);
            break;
        case 1:
            chdir(AB);
            break;
        case 2:
            chdir(BA);
            break;
        default:
            fchdir(fab);
        }
        if (!(i % 64))
            sched_yield();
    }
    atomic_store(&done, 1);
    for (int i = 0; i < READERS + 3; i++)
        pthread_join(th[i], NULL);
    fd = open(DONE, O_CREAT | O_WRONLY, 0644);
    if (fd >= 0)
        close(fd);
    if (kid > 0) {
        waitpid(kid, &wst, 0);
        check(WIFEXITED(wst) && !WEXITSTATUS(wst),
              "the CLONE_FS sharer saw only the two directories (%#x)", wst);
    }
    unlink(DONE);
    check(!atomic_load(&bad),
          "%ld chdirs: every relative call saw one of "
          "the two directories (%d did not)",
          rounds, atomic_load(&bad));
    check(!atomic_load(&umask_bad), "umask(022) always answered 022 (%d not)",
          atomic_load(&umask_bad));
    check(!atomic_load(&mode_bad), "files made in the bind were 0644 (%d not)",
          atomic_load(&mode_bad));
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
