/* SPDX-License-Identifier: MIT */
/*
 * clone3: processes made with it have their own cwd, umask and fd table
 * as clone's do, pidfds and CLONE_CLEAR_SIGHAND work, its argument errors
 * are Linux's, and glibc's users of it (posix_spawn, pthread_create) run
 * programs and threads from the image. kbox answered ENOSYS until the
 * twenty-seventh session (libc fell back to clone).
 * Usage: clone3 [-k] DIR   (DIR: a writable directory; -k: also check
 * that namespace flags are refused with EPERM, as under kbox)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "guest-check.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#define CLEAR_SIGHAND 0x100000000ull
#define INTO_CGROUP   0x200000000ull
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

struct args3 {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack,
        stack_size, tls, set_tid, set_tid_size, cgroup;
};

extern char **environ;
static char dir[512];

static long clone3(void *a, size_t size)
{
    return syscall(SYS_clone3, a, size);
}

static void path(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", dir, name);
}

/*
 * A fork by clone3: the child has the state of the moment of the fork
 * (it looks only after its parent has closed its fd, moved and changed
 * its umask), then changes its own, which leaves the parent's.
 */
static void own_state(void)
{
    char a[600], b[600], sub[600], cwd0[600], cwd1[600], buf[16] = { 0 };
    struct args3 ca = { .exit_signal = SIGCHLD };
    struct stat st;
    int fa, go[2], status = -1;
    mode_t old;
    long pid;

    path(a, sizeof(a), "a");
    path(b, sizeof(b), "b");
    path(sub, sizeof(sub), "sub");
    check(mkdir(sub, 0755) == 0 && pipe(go) == 0, "own: set-up");
    fa = open(a, O_RDWR | O_CREAT | O_TRUNC, 0644);
    check(fa >= 0 && write(fa, "parent", 6) == 6, "own: parent's file");
    check(chdir(dir) == 0 && getcwd(cwd0, sizeof(cwd0)) != NULL, "own: getcwd");
    old = umask(022);
    pid = clone3(&ca, sizeof(ca));
    if (pid == 0) {
        char c, here[600];
        int fb;

        close(go[1]);
        if (read(go[0], &c, 1) != 1)
            _exit(10);
        if (pread(fa, here, 6, 0) != 6 || memcmp(here, "parent", 6))
            _exit(11); /* the fd of the moment of the fork */
        if (!getcwd(here, sizeof(here)) || strcmp(here, cwd0))
            _exit(12);
        if (umask(077) != 022)
            _exit(13);
        if (close(fa) || chdir("/") || getppid() <= 1)
            _exit(14);
        fb = open(b, O_WRONLY | O_CREAT | O_EXCL, 0666);
        if (fb < 0 || write(fb, "child", 5) != 5 || close(fb))
            _exit(15);
        _exit(7);
    }
    check(pid > 0, "own: clone3 fork (%ld)", pid);
    /* the parent changes its state before the child looks */
    close(go[0]);
    check(pread(fa, buf, sizeof(buf) - 1, 0) == 6 && close(fa) == 0 &&
              chdir(sub) == 0,
          "own: the parent closes its fd and moves");
    umask(0);
    check(write(go[1], "g", 1) == 1, "own: go");
    close(go[1]);
    check(waitpid((pid_t)pid, &status, 0) == pid && WIFEXITED(status) &&
              WEXITSTATUS(status) == 7,
          "own: the child saw the state of the fork and exited 7 "
          "(status %#x)",
          status);
    fa = open(a, O_RDONLY);
    check(fa >= 0 && pread(fa, buf, sizeof(buf) - 1, 0) == 6 &&
              !strcmp(buf, "parent"),
          "own: the parent's file");
    check(getcwd(cwd1, sizeof(cwd1)) && strcmp(cwd0, cwd1) &&
              strstr(cwd1, "/sub"),
          "own: the child's chdir left the parent's cwd");
    check(umask(old) == 0, "own: the child's umask left the parent's");
    check(stat(b, &st) == 0 && (st.st_mode & 0777) == 0600 && st.st_size == 5,
          "own: the child's file has its umask (mode %o)", st.st_mode & 0777);
    close(fa);
    check(chdir(dir) == 0, "own: back");
}

/* CLONE_PIDFD, and a child that sends no signal at exit (exit_signal 0). */
static void pidfd_child(void)
{
    int pidfd = -1, status = -1;
    struct args3 ca = { .flags = CLONE_PIDFD,
                        .pidfd = (uintptr_t)&pidfd,
                        .exit_signal = 0 };
    struct pollfd pf;
    siginfo_t si;
    long pid = clone3(&ca, sizeof(ca));

    if (pid == 0)
        _exit(3);
    check(pid > 0 && pidfd >= 0, "pidfd: clone3 gave a pidfd (%ld, %d)", pid,
          pidfd);
    pf = (struct pollfd){ pidfd, POLLIN, 0 };
    check(poll(&pf, 1, 5000) == 1 && (pf.revents & POLLIN),
          "pidfd: readable once the child exits");
    memset(&si, 0, sizeof(si));
    check(waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED | __WALL) == 0 &&
              si.si_pid == pid && si.si_status == 3,
          "pidfd: waitid(P_PIDFD) status 3 (%d)", si.si_status);
    close(pidfd);
    (void)status;
}

static void on_usr1(int sig)
{
    (void)sig;
}

/* CLONE_CLEAR_SIGHAND: handlers reset, ignored signals stay ignored. */
static void clear_sighand(void)
{
    struct args3 ca = { .flags = CLEAR_SIGHAND, .exit_signal = SIGCHLD };
    struct sigaction sa = { .sa_handler = on_usr1 },
                     ign = { .sa_handler = SIG_IGN };
    int status = -1;
    long pid;

    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &ign, NULL);
    pid = clone3(&ca, sizeof(ca));
    if (pid == 0) {
        struct sigaction o1, o2;

        sigaction(SIGUSR1, NULL, &o1);
        sigaction(SIGUSR2, NULL, &o2);
        _exit(o1.sa_handler == SIG_DFL && o2.sa_handler == SIG_IGN ? 0 : 1);
    }
    check(pid > 0 && waitpid((pid_t)pid, &status, 0) == pid &&
              WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "clear_sighand: the child's handler is reset, SIG_IGN kept");
    signal(SIGUSR1, SIG_DFL);
    signal(SIGUSR2, SIG_DFL);
}

/* Reap a child a call that should have failed made anyway. */
static void want3(void *ca, size_t size, int e, const char *what)
{
    long rc;

    errno = 0;
    rc = clone3(ca, size);
    if (rc == 0)
        _exit(0);
    if (rc > 0)
        waitpid((pid_t)rc, NULL, __WALL);
    guest_want_errno(rc, errno, e, what);
}

static void arg_errors(void)
{
    unsigned char big[96];
    struct args3 ca;
    char d[600];
    int status = -1, dfd;
    long pid;

    memset(&ca, 0, sizeof(ca));
    ca.exit_signal = SIGCHLD;
    want3(&ca, 63, EINVAL, "size below version 0");
    want3(&ca, 4097, E2BIG, "size above a page");
    want3(NULL, sizeof(ca), EFAULT, "struct at NULL");
    memset(big, 0, sizeof(big));
    memcpy(big, &ca, sizeof(ca));
    big[90] = 1;
    want3(big, sizeof(big), E2BIG, "non-zero bytes past the struct");
    big[90] = 0;
    pid = clone3(big, sizeof(big));
    if (pid == 0)
        _exit(5);
    check(pid > 0 && waitpid((pid_t)pid, &status, 0) == pid &&
              WEXITSTATUS(status) == 5,
          "zero bytes past the struct: a child");
    ca.flags = 1ull << 40;
    want3(&ca, sizeof(ca), EINVAL, "unknown flag");
    ca.flags = 0;
    ca.exit_signal = 65;
    want3(&ca, sizeof(ca), EINVAL, "exit signal 65");
    ca.exit_signal = 0;
    ca.flags = CLONE_SIGHAND;
    want3(&ca, sizeof(ca), EINVAL, "CLONE_SIGHAND without CLONE_VM");
    ca.flags = CLONE_THREAD;
    want3(&ca, sizeof(ca), EINVAL, "CLONE_THREAD without CLONE_SIGHAND");
    ca.flags = CLONE_VM | CLONE_SIGHAND | CLEAR_SIGHAND;
    want3(&ca, sizeof(ca), EINVAL, "CLONE_SIGHAND with CLONE_CLEAR_SIGHAND");
    ca.flags = CLONE_NEWUSER | CLONE_FS;
    want3(&ca, sizeof(ca), EINVAL, "CLONE_NEWUSER with CLONE_FS");
    ca.flags = CLONE_NEWNS | CLONE_FS;
    want3(&ca, sizeof(ca), EINVAL, "CLONE_NEWNS with CLONE_FS");
    ca.flags = CLONE_PARENT;
    ca.exit_signal = SIGCHLD;
    want3(&ca, sizeof(ca), EINVAL, "CLONE_PARENT with an exit signal");
    ca.flags = 0;
    ca.stack = (uintptr_t)big;
    want3(&ca, sizeof(ca), EINVAL, "a stack of size 0");
    ca.stack = 0;
    ca.set_tid_size = 1;
    want3(&ca, sizeof(ca), EINVAL, "set_tid_size without set_tid");
    ca.set_tid_size = 0;
    ca.flags = CLONE_PIDFD | CLONE_PARENT_SETTID;
    ca.pidfd = ca.parent_tid = (uintptr_t)&status;
    want3(&ca, sizeof(ca), EINVAL, "pidfd and parent_tid at one address");
    ca.pidfd = ca.parent_tid = 0;
    path(d, sizeof(d), "");
    dfd = open(d, O_RDONLY | O_DIRECTORY);
    ca.flags = INTO_CGROUP;
    ca.cgroup = (uint64_t)dfd;
    want3(&ca, 64, EINVAL, "CLONE_INTO_CGROUP in a version-0 struct");
    want3(&ca, sizeof(ca), EBADF, "CLONE_INTO_CGROUP of a plain directory");
    close(dfd);
}

static void namespaces(void)
{
    static const struct {
        uint64_t flag;
        const char *name;
    } ns[] = {
        { CLONE_NEWUSER, "CLONE_NEWUSER" },
        { CLONE_NEWNS, "CLONE_NEWNS" },
        { CLONE_NEWPID, "CLONE_NEWPID" },
        { CLONE_NEWNET, "CLONE_NEWNET" },
        { CLONE_NEWUTS, "CLONE_NEWUTS" },
        { CLONE_NEWIPC, "CLONE_NEWIPC" },
        { CLONE_NEWCGROUP, "CLONE_NEWCGROUP" },
        { CLONE_NEWTIME, "CLONE_NEWTIME" },
    };

    for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
        struct args3 ca = { .flags = ns[i].flag, .exit_signal = SIGCHLD };
        char what[64];

        snprintf(what, sizeof(what), "%s refused", ns[i].name);
        want3(&ca, sizeof(ca), EPERM, what);
    }
}

/* glibc's posix_spawn is clone3(CLONE_VM | CLONE_VFORK) then exec. */
static void spawn(void)
{
    char c[600], cmd[800], buf[32] = { 0 };
    char *argv[] = { "sh", "-c", cmd, NULL };
    int status = -1, fd;
    pid_t pid;

    path(c, sizeof(c), "c");
    snprintf(cmd, sizeof(cmd), "echo spawned > '%s'; exit 4", c);
    check(posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ) == 0,
          "spawn: posix_spawn /bin/sh");
    check(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
              WEXITSTATUS(status) == 4,
          "spawn: exit 4 (status %#x)", status);
    fd = open(c, O_RDONLY);
    check(fd >= 0 && read(fd, buf, sizeof(buf) - 1) == 8 &&
              !strcmp(buf, "spawned\n"),
          "spawn: the program wrote its file");
    if (fd >= 0)
        close(fd);
}

/* glibc's pthread_create is clone3(CLONE_THREAD | ...). */
static void *thread_files(void *arg)
{
    char p[600], name[16];
    long i = (long)arg;
    int fd;

    snprintf(name, sizeof(name), "t%ld", i);
    path(p, sizeof(p), name);
    fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, name, strlen(name)) != (ssize_t)strlen(name))
        return (void *)1;
    return (void *)(long)close(fd);
}

static void threads(void)
{
    pthread_t t[4];
    int bad = 0;

    for (long i = 0; i < 4; i++)
        bad |= pthread_create(&t[i], NULL, thread_files, (void *)i) != 0;
    for (int i = 0; i < 4; i++) {
        void *rv = (void *)1;

        pthread_join(t[i], &rv);
        bad |= rv != NULL;
    }
    for (int i = 0; i < 4; i++) {
        char p[600], name[16];
        struct stat st;

        snprintf(name, sizeof(name), "t%d", i);
        path(p, sizeof(p), name);
        bad |= stat(p, &st) || st.st_size != 2;
    }
    check(!bad, "threads: four threads wrote their files");
}

int main(int argc, char **argv)
{
    int kbox = argc > 2 && !strcmp(argv[1], "-k");

    if (argc < 2) {
        fprintf(stderr, "usage: clone3 [-k] DIR\n");
        return 2;
    }
    /* a directory of its own, in case DIR is not empty */
    snprintf(dir, sizeof(dir), "%s/clone3.XXXXXX", argv[argc - 1]);
    if (!mkdtemp(dir)) {
        perror(dir);
        return 2;
    }
    own_state();
    pidfd_child();
    clear_sighand();
    arg_errors();
    if (kbox)
        namespaces();
    spawn();
    threads();
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
