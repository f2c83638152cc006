/* SPDX-License-Identifier: MIT */
/*
 * bind-fs-share: processes made by clone(CLONE_FS) share the cwd and
 * umask (Linux's fs_struct), also when the cwd is in a bind, until one
 * unshares CLONE_FS; a child made without CLONE_FS (fork, vfork,
 * posix_spawn) has its own, and so has a thread with an fs of its own
 * (cloned without CLONE_FS, or after its unshare(CLONE_FS)), which its
 * exec gives the process. kbox kept a bind cwd per process: a chdir
 * into a bind by one sharer left the other where it was, a chdir into
 * the image by one left the other's bind cwd in place, and such a
 * thread's chdir moved every thread.
 *
 * Usage: bind-fs-share BIND IMG   (BIND a directory in a bind, IMG one in
 * the image; BIND/a, BIND/b and IMG/i are made)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static char A[PATH_MAX], B[PATH_MAX], I[PATH_MAX];
static int p2c[2], c2p[2];

/* the raw getcwd's answer ("" on error) */
static const char *cwd(void)
{
    static char buf[PATH_MAX];

    if (syscall(SYS_getcwd, buf, sizeof(buf)) < 0)
        buf[0] = '\0';
    return buf;
}

static void tell(int fd)
{
    if (write(fd, "x", 1) != 1)
        _exit(3);
}

static void hear(int fd)
{
    char c;

    if (read(fd, &c, 1) != 1)
        _exit(3);
}

/* a fork-like child sharing (or not) the fs: raw clone or clone3 */
static pid_t child(unsigned long flags, int via3)
{
    if (via3) {
        struct clone_args ca;

        memset(&ca, 0, sizeof(ca));
        ca.flags = flags;
        ca.exit_signal = SIGCHLD;
        return (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
    }
    return (pid_t)syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
}

static void reap(pid_t pid, const char *what)
{
    int st = -1;
    pid_t w;

    while ((w = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
        ;
    check(w == pid && WIFEXITED(st) && !WEXITSTATUS(st),
          "%s: the child's checks passed (status %#x)", what, st);
}

/* is the cwd @dir, and does the relative @name exist there? */
static void at(const char *dir, const char *name, const char *what)
{
    struct stat st;

    check(!strcmp(cwd(), dir), "%s: getcwd %s (got \"%s\")", what, dir, cwd());
    check(stat(name, &st) == 0, "%s: relative %s", what, name);
}

/* CLONE_FS: a chdir in either moves both, into a bind or the image */
static void case_shared(int via3)
{
    const char *how = via3 ? "clone3(CLONE_FS)" : "clone(CLONE_FS)";
    pid_t pid;

    if (chdir(A))
        check(0, "chdir %s", A);
    pid = child(CLONE_FS, via3);
    if (pid < 0) {
        check(0, "%s", how);
        return;
    }
    if (pid == 0) {
        chdir(B);
        tell(c2p[1]);
        hear(p2c[0]); /* the parent went into the image */
        at(I, "in-i", "child, after the parent's chdir into the image");
        chdir(A);
        tell(c2p[1]);
        hear(p2c[0]);
        /* the parent's fchdir into the bind */
        at(B, "in-b", "child, after the parent's fchdir");
        _exit(n_fail ? 1 : 0);
    }
    hear(c2p[0]);
    at(B, "in-b", "parent, after the child's chdir into the bind");
    chdir(I);
    tell(p2c[1]);
    hear(c2p[0]);
    at(A, "in-a", "parent, after the child's chdir from the image");
    {
        int fd = open(B, O_RDONLY | O_DIRECTORY);

        check(fd >= 0 && fchdir(fd) == 0, "parent fchdir %s", B);
        if (fd >= 0)
            close(fd);
    }
    tell(p2c[1]);
    reap(pid, how);
}

/* unshare(CLONE_FS) by the child, then by the parent: apart again */
static void case_unshare(void)
{
    pid_t pid;

    chdir(A);
    pid = child(CLONE_FS, 0);
    if (pid == 0) {
        check(unshare(CLONE_FS) == 0, "child unshare(CLONE_FS)");
        chdir(B);
        tell(c2p[1]);
        hear(p2c[0]);
        at(B, "in-b", "child after unshare, the parent's chdir");
        _exit(n_fail ? 1 : 0);
    }
    hear(c2p[0]);
    at(A, "in-a", "parent, the child's chdir after it unshared");
    chdir(I);
    tell(p2c[1]);
    reap(pid, "unshare by the child");

    chdir(A);
    pid = child(CLONE_FS, 0);
    if (pid == 0) {
        hear(p2c[0]);
        chdir(B);
        tell(c2p[1]);
        _exit(0);
    }
    check(unshare(CLONE_FS) == 0, "parent unshare(CLONE_FS)");
    tell(p2c[1]);
    hear(c2p[0]);
    at(A, "in-a", "parent after it unshared, the child's chdir");
    reap(pid, "unshare by the parent");
}

/* children that do not share the fs: fork, vfork, posix_spawn */
static void case_private(void)
{
    char out[PATH_MAX + 64], buf[PATH_MAX];
    posix_spawn_file_actions_t fa;
    char *argv[] = { "sh", "-c", "pwd -P > spawned", NULL };
    pid_t pid;
    int fd;
    ssize_t n;

    chdir(A);
    pid = fork();
    if (pid == 0) {
        chdir(B);
        _exit(0);
    }
    reap(pid, "fork");
    at(A, "in-a", "parent, a forked child's chdir");
    pid = vfork();
    if (pid == 0) {
        chdir(B);
        _exit(0);
    }
    reap(pid, "vfork");
    at(A, "in-a", "parent, a vforked child's chdir");
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addchdir_np(&fa, B);
    check(posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, environ) == 0,
          "posix_spawn with a chdir");
    posix_spawn_file_actions_destroy(&fa);
    reap(pid, "posix_spawn");
    at(A, "in-a", "parent, a spawned child's chdir");
    snprintf(out, sizeof(out), "%s/spawned", B);
    fd = open(out, O_RDONLY);
    n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
    if (fd >= 0)
        close(fd);
    buf[n > 0 ? n - 1 : 0] = '\0';
    check(!strcmp(buf, B), "the spawned child ran in %s (got \"%s\")", B, buf);
}

/* the umask goes with the fs: shared by CLONE_FS, apart after unshare */
static void case_umask(void)
{
    struct stat st;
    pid_t pid;
    int fd;

    chdir(A);
    umask(022);
    pid = child(CLONE_FS, 0);
    if (pid == 0) {
        umask(077);
        tell(c2p[1]);
        hear(p2c[0]);
        check(unshare(CLONE_FS) == 0, "umask child unshare(CLONE_FS)");
        umask(0);
        tell(c2p[1]);
        _exit(n_fail ? 1 : 0);
    }
    hear(c2p[0]);
    check(umask(077) == 077, "umask: the CLONE_FS child's 077 is the parent's");
    fd = open("um", O_CREAT | O_WRONLY | O_TRUNC, 0666);
    check(fd >= 0 && fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0600,
          "umask: a file made in the bind is 0600 (got %o)",
          fd >= 0 ? (unsigned)(st.st_mode & 0777) : 0);
    if (fd >= 0)
        close(fd);
    unlink("um");
    tell(p2c[1]);
    hear(c2p[0]);
    check(umask(022) == 077, "umask: the child's after its unshare is not");
    reap(pid, "umask child");
    pid = fork();
    if (pid == 0) {
        umask(0);
        _exit(0);
    }
    reap(pid, "umask fork");
    check(umask(022) == 022, "umask: a forked child's is not");
}

/* the sharer exits: the one left keeps the cwd */
static void case_exit(void)
{
    pid_t pid;

    chdir(A);
    pid = child(CLONE_FS, 0);
    if (pid == 0) {
        chdir(B);
        _exit(0);
    }
    reap(pid, "exiting sharer");
    at(B, "in-b", "parent, after the sharer's chdir and exit");
    chdir(A);
    at(A, "in-a", "parent, its own chdir after the sharer exited");
}

static volatile int thr_step;

static void step_wait(int n)
{
    while (__atomic_load_n(&thr_step, __ATOMIC_ACQUIRE) < n)
        usleep(1000);
}

static void step(int n)
{
    __atomic_store_n(&thr_step, n, __ATOMIC_RELEASE);
}

static void link_is(const char *link, const char *want)
{
    char buf[PATH_MAX];
    ssize_t n = readlink(link, buf, sizeof(buf) - 1);

    buf[n > 0 ? n : 0] = '\0';
    check(!strcmp(buf, want), "readlink %s: %s (got \"%s\")", link, want, buf);
}

static void *unshare_thread(void *arg)
{
    (void)arg;
    check(unshare(CLONE_FS) == 0, "thread unshare(CLONE_FS)");
    chdir(B);
    step(1);
    step_wait(2); /* the main thread went into the image */
    at(B, "in-b", "thread with its own fs, the main thread's chdir");
    link_is("/proc/thread-self/cwd", B);
    link_is("/proc/self/cwd", I); /* the process's: its leader's */
    chdir(A);
    step(3);
    return NULL;
}

static char stack[64 * 1024];
static pid_t thr_tid;

/* a thread cloned without CLONE_FS: raw calls only (it has no TLS) */
static int nofs_thread(void *arg)
{
    struct stat st;

    (void)arg;
    if (syscall(SYS_chdir, B) == 0 &&
        syscall(SYS_newfstatat, AT_FDCWD, "in-b", &st, 0) == 0)
        thr_step = 10;
    return 0;
}

/* threads with an fs of their own keep their own cwd, also in a bind */
static void case_threads(void)
{
    pthread_t th;

    chdir(A);
    step(0);
    pthread_create(&th, NULL, unshare_thread, NULL);
    step_wait(1);
    at(A, "in-a", "main thread, the unshared thread's chdir into the bind");
    chdir(I);
    step(2);
    step_wait(3);
    at(I, "in-i", "main thread, the unshared thread's second chdir");
    pthread_join(th, NULL);

    chdir(A);
    step(0);
    if (clone(nofs_thread, stack + sizeof(stack),
              CLONE_VM | CLONE_SIGHAND | CLONE_THREAD | CLONE_FILES |
                  CLONE_SYSVSEM | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID,
              NULL, &thr_tid, NULL, &thr_tid) < 0) {
        check(0, "clone(CLONE_THREAD) without CLONE_FS");
    } else {
        while (__atomic_load_n(&thr_tid, __ATOMIC_ACQUIRE) != 0)
            syscall(SYS_futex, &thr_tid, 0 /* FUTEX_WAIT */, thr_tid, NULL);
        check(thr_step == 10, "the thread without CLONE_FS found in-b");
        at(A, "in-a", "main thread, the CLONE_FS-less thread's chdir");
    }
}

static void *exec_thread(void *arg)
{
    char **argv = arg;

    if (unshare(CLONE_FS) || chdir(B))
        _exit(80);
    execv("/proc/self/exe", argv);
    _exit(81);
}

/* exec by a thread that unshared CLONE_FS and went into the bind */
static void case_thread_exec(char *self)
{
    char *argv[] = { self, "after-exec", B, NULL };
    pid_t pid;

    chdir(A);
    pid = fork();
    if (pid == 0) {
        pthread_t th;

        pthread_create(&th, NULL, exec_thread, argv);
        pause();
        _exit(5);
    }
    reap(pid, "exec by a thread with its own cwd in the bind");
    at(A, "in-a", "parent, after its child's thread's exec");
}

static void *shared_exec_thread(void *arg)
{
    char **argv = arg;

    step_wait(1);
    if (chdir(B))
        _exit(82);
    execv("/proc/self/exe", argv);
    _exit(83);
}

/* exec by a thread sharing the process's cwd while the main thread has
 * its own (its unshare(CLONE_FS)): the exec'ing thread's is kept (kbox
 * gave the new program the main thread's own cwd, A) */
static void case_shared_thread_exec(char *self)
{
    char *argv[] = { self, "after-exec", B, NULL };
    pid_t pid;

    chdir(I);
    thr_step = 0;
    pid = fork();
    if (pid == 0) {
        pthread_t th;

        pthread_create(&th, NULL, shared_exec_thread, argv);
        if (unshare(CLONE_FS) || chdir(A))
            _exit(84);
        step(1);
        pause();
        _exit(5);
    }
    reap(pid, "exec by a sharing thread, the main thread's cwd its own");
}

static void mk(const char *dir, const char *name)
{
    char p[PATH_MAX + 16];
    int fd;

    mkdir(dir, 0755);
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    fd = open(p, O_CREAT | O_WRONLY, 0644);
    if (fd >= 0)
        close(fd);
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    setvbuf(stdout, NULL, _IONBF, 0);
    if (!strcmp(argv[1], "after-exec")) {
        /* the exec'ing thread's cwd is the process's now */
        struct stat st;

        check(!strcmp(cwd(), argv[2]),
              "after the thread's exec: getcwd %s "
              "(got \"%s\")",
              argv[2], cwd());
        check(stat("in-b", &st) == 0, "after the thread's exec: in-b");
        return n_fail ? 1 : 0;
    }
    snprintf(A, sizeof(A), "%s/a", argv[1]);
    snprintf(B, sizeof(B), "%s/b", argv[1]);
    snprintf(I, sizeof(I), "%s/i", argv[2]);
    mk(A, "in-a");
    mk(B, "in-b");
    mk(I, "in-i");
    if (pipe(p2c) || pipe(c2p))
        return 2;
    case_shared(0);
    case_shared(1);
    case_unshare();
    case_private();
    case_umask();
    case_exit();
    case_threads();
    case_thread_exec(argv[0]);
    case_shared_thread_exec(argv[0]);
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
