/* SPDX-License-Identifier: MIT */
/*
 * clone-share: what a task shares or keeps of its own after clone,
 * unshare and exec, one case per run (clone-fuzz found each):
 *   parent      clone(CLONE_PARENT): the child has its forker's cwd, umask
 *               and fds, not its new parent's
 *   closerange  close_range(CLOSE_RANGE_UNSHARE) by one of two processes
 *               sharing an fd table (CLONE_FILES): the other keeps the fds
 *   threadself  /proc/thread-self/status of a thread that unshared
 *               CLONE_FS and changed its umask (and, as root, its euid by
 *               a raw setresuid) shows its own, its process's its own
 *   threadfs    clone(CLONE_THREAD) without CLONE_FS: the thread's chdir
 *               and umask are its own
 *   vforkparent a clone(CLONE_VM | CLONE_VFORK | CLONE_PARENT) child's
 *               exec leaves its forker's memory as it was (kbox's edit of
 *               the path stayed in it: the child shares the forker's
 *               memory, not its parent's)
 *   execthread  exec from a thread that unshared CLONE_FS, chdir'd,
 *               changed its umask (and, as root, its euid by a raw
 *               setresuid): the new program has the thread's
 * Usage: clone-share CASE DIR   (DIR: an empty, writable directory)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "guest-check.h"

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif

static char dir[512], sub[600];
static char stack[256 * 1024] __attribute__((aligned(16)));

/* The value of @key in @path (a /proc status file), or "" */
static void status_of(const char *path, const char *key, char *out, size_t n)
{
    char buf[4096];
    int fd = open(path, O_RDONLY);
    ssize_t len = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
    size_t kl = strlen(key);

    if (fd >= 0)
        close(fd);
    out[0] = 0;
    if (len <= 0)
        return;
    buf[len] = 0;
    for (char *l = buf; l && *l;) {
        char *e = strchr(l, '\n');
        if (e)
            *e = 0;
        if (!strncmp(l, key, kl) && l[kl] == ':') {
            char *v = l + kl + 1;
            while (*v == '\t' || *v == ' ')
                v++;
            snprintf(out, n, "%s", v);
            for (char *c = out; *c; c++)
                if (*c == '\t')
                    *c = ' ';
            return;
        }
        l = e ? e + 1 : NULL;
    }
}

/* fd @fd reads "data" */
static int holds_data(int fd)
{
    char b[8] = "";

    return pread(fd, b, 4, 0) == 4 && !memcmp(b, "data", 4);
}

static int parent_child(void *arg)
{
    char cwd[600];
    int fd = (int)(intptr_t)arg, bad = 0;
    mode_t um = umask(0);

    if (!getcwd(cwd, sizeof(cwd)) || strcmp(cwd, sub))
        bad |= 1;
    if (um != 077)
        bad |= 2;
    if (!holds_data(fd))
        bad |= 4;
    return bad;
}

static void case_parent(void)
{
    pid_t mid = fork(), w;
    int st, fd, seen = 0;

    if (mid == 0) {
        /* the forker: its own cwd, umask, fd; its child goes to our
         * process */
        if (chdir(sub) || (fd = open("file", O_RDONLY)) < 0)
            _exit(90);
        umask(077);
        _exit(clone(parent_child, stack + sizeof(stack), CLONE_PARENT | SIGCHLD,
                    (void *)(intptr_t)fd) < 0
                  ? 91
                  : 0);
    }
    for (int i = 0; i < 2 && (w = waitpid(-1, &st, 0)) > 0; i++) {
        if (w == mid) {
            check(WIFEXITED(st) && WEXITSTATUS(st) == 0,
                  "CLONE_PARENT clone made (status %#x)", st);
            continue;
        }
        seen = 1;
        check(WIFEXITED(st), "the CLONE_PARENT child is ours and exited");
        check(!(WEXITSTATUS(st) & 1), "its cwd is its forker's");
        check(!(WEXITSTATUS(st) & 2), "its umask is its forker's");
        check(!(WEXITSTATUS(st) & 4), "its fd is its forker's file");
    }
    check(seen, "the CLONE_PARENT child was waited for by its new parent");
}

static int pc[2];

static int files_child(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char c;

    /* wait for the parent's close_range, then look */
    if (read(pc[0], &c, 1) != 1)
        return 9;
    return holds_data(fd) ? 0 : 1;
}

static void case_closerange(void)
{
    int fd = open("sub/file", O_RDONLY), st;
    pid_t pid;

    if (fd < 0 || pipe(pc)) {
        check(0, "set up");
        return;
    }
    pid = clone(files_child, stack + sizeof(stack), CLONE_FILES | SIGCHLD,
                (void *)(intptr_t)fd);
    check(pid > 0, "clone(CLONE_FILES)");
    check(syscall(SYS_close_range, fd, fd, CLOSE_RANGE_UNSHARE) == 0,
          "close_range(fd, fd, CLOSE_RANGE_UNSHARE)");
    check(fcntl(fd, F_GETFD) < 0, "the fd is closed here");
    check(write(pc[1], "x", 1) == 1, "child told");
    check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "the sharer still reads the file through its fd (status %#x)", st);
}

static char t_um[64], t_uid[128], t_task_um[64];

static void *self_thread(void *arg)
{
    char p[96];

    (void)arg;
    if (unshare(CLONE_FS))
        return (void *)1;
    umask(077);
    if (geteuid() == 0)
        syscall(SYS_setresuid, -1, 1000, -1); /* this thread only */
    status_of("/proc/thread-self/status", "Umask", t_um, sizeof(t_um));
    status_of("/proc/thread-self/status", "Uid", t_uid, sizeof(t_uid));
    snprintf(p, sizeof(p), "/proc/self/task/%ld/status",
             (long)syscall(SYS_gettid));
    status_of(p, "Umask", t_task_um, sizeof(t_task_um));
    if (geteuid() == 1000)
        syscall(SYS_setresuid, -1, 0, -1);
    return NULL;
}

static void case_threadself(void)
{
    pthread_t t;
    void *rv = (void *)2;
    char um[64], uid[128];
    int root = geteuid() == 0;

    umask(022);
    check(pthread_create(&t, NULL, self_thread, NULL) == 0 &&
              pthread_join(t, &rv) == 0 && rv == NULL,
          "thread unshared CLONE_FS");
    check(!strcmp(t_um, "0077"), "thread-self Umask is the thread's: %s", t_um);
    check(!strcmp(t_task_um, "0077"),
          "self/task/<tid> Umask is the thread's: %s", t_task_um);
    if (root)
        check(!strcmp(t_uid, "0 1000 0 1000"),
              "thread-self Uid is the thread's: %s", t_uid);
    status_of("/proc/thread-self/status", "Umask", um, sizeof(um));
    status_of("/proc/self/status", "Uid", uid, sizeof(uid));
    check(!strcmp(um, "0022"), "the main thread's Umask is its own: %s", um);
    if (root)
        check(!strcmp(uid, "0 0 0 0"), "the process's Uid is its own: %s", uid);
}

static volatile int thr_done;
static pid_t thr_tid = 1;

static int fs_thread(void *arg)
{
    (void)arg;
    if (chdir(sub) == 0) {
        umask(077);
        thr_done = 1;
    } else {
        thr_done = 2;
    }
    return 0;
}

static void case_threadfs(void)
{
    char cwd[600];
    mode_t um;

    umask(022);
    /* no CLONE_FS: the thread has a copy of the cwd, root and umask */
    if (clone(fs_thread, stack + sizeof(stack),
              CLONE_VM | CLONE_SIGHAND | CLONE_THREAD | CLONE_FILES |
                  CLONE_SYSVSEM | CLONE_CHILD_CLEARTID,
              NULL, NULL, NULL, &thr_tid) < 0) {
        check(0, "clone(CLONE_THREAD) without CLONE_FS");
        return;
    }
    while (__atomic_load_n(&thr_tid, __ATOMIC_ACQUIRE) != 0)
        syscall(SYS_futex, &thr_tid, 0 /* FUTEX_WAIT */, thr_tid, NULL);
    check(thr_done == 1, "the thread chdir'd and set its umask");
    um = umask(022);
    check(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, dir),
          "the process's cwd is still its own: %s", cwd);
    check(um == 022, "the process's umask is still its own: %03o", um);
}

static char vpath[512], vcopy[512];

static int vfork_child(void *arg)
{
    char *const argv[] = { "clone-share", "noop", NULL };

    (void)arg;
    execv(vpath, argv);
    _exit(127);
}

static void case_vforkparent(void)
{
    ssize_t n = readlink("/proc/self/exe", vpath, sizeof(vpath) - 1);
    pid_t mid, w;
    int st, kids = 0;

    if (n <= 0) {
        check(0, "readlink /proc/self/exe");
        return;
    }
    vpath[n] = 0;
    memcpy(vcopy, vpath, sizeof(vcopy));
    mid = fork();
    if (mid == 0) {
        /* the forker: its memory is the child's until the exec */
        pid_t c = clone(vfork_child, stack + sizeof(stack),
                        CLONE_VM | CLONE_VFORK | CLONE_PARENT | SIGCHLD, NULL);
        _exit(c < 0 ? 91 : strcmp(vpath, vcopy) ? 92 : 0);
    }
    while ((w = waitpid(-1, &st, 0)) > 0) {
        if (w == mid)
            check(WIFEXITED(st) && WEXITSTATUS(st) == 0,
                  "the forker's path buffer is unchanged after its "
                  "CLONE_PARENT vfork child's exec (status %#x)",
                  (unsigned)st);
        else
            kids++;
    }
    check(kids == 1, "the child was its new parent's");
}

static void *exec_thread(void *arg)
{
    (void)arg;
    if (unshare(CLONE_FS) || chdir(sub))
        _exit(80);
    umask(077);
    int root = geteuid() == 0;
    if (root)
        syscall(SYS_setresuid, -1, 1000, -1); /* this thread only */
    execl("/proc/self/exe", "clone-share", "after-exec", dir,
          root ? "root" : "user", NULL);
    _exit(81);
}

static void case_execthread(void)
{
    pthread_t t;

    umask(022);
    fflush(stdout);
    if (pthread_create(&t, NULL, exec_thread, NULL) == 0)
        for (;;)
            pause();
    check(0, "thread made");
}

static void after_exec(const char *how)
{
    char cwd[600];
    mode_t um = umask(0);
    uid_t r, e, s;

    check(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, sub),
          "the new program's cwd is the exec'ing thread's: %s", cwd);
    check(um == 077, "its umask is the thread's: %03o", um);
    getresuid(&r, &e, &s);
    if (!strcmp(how, "root"))
        check(r == 0 && e == 1000 && s == 1000,
              "its ids are the thread's: %d %d %d", (int)r, (int)e, (int)s);
}

int main(int argc, char **argv)
{
    int fd;

    if (argc == 2 && !strcmp(argv[1], "noop"))
        return 0; /* vforkparent's program */
    if (argc < 3) {
        fprintf(stderr, "usage: clone-share CASE DIR\n");
        return 2;
    }
    if (!strcmp(argv[1], "after-exec")) {
        /* DIR as the exec'ing program found it; the cwd is the thread's */
        snprintf(dir, sizeof(dir), "%s", argv[2]);
        snprintf(sub, sizeof(sub), "%s/sub", dir);
        after_exec(argc > 3 ? argv[3] : "user");
        printf("%d ok, %d failed\n", n_ok, n_fail);
        return n_fail != 0;
    }
    if (chdir(argv[2]) || !getcwd(dir, sizeof(dir))) {
        perror(argv[2]);
        return 2;
    }
    snprintf(sub, sizeof(sub), "%s/sub", dir);
    mkdir("sub", 0755);
    fd = open("sub/file", O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (fd < 0 || write(fd, "data", 4) != 4)
        return 2;
    close(fd);
    if (!strcmp(argv[1], "parent"))
        case_parent();
    else if (!strcmp(argv[1], "closerange"))
        case_closerange();
    else if (!strcmp(argv[1], "threadself"))
        case_threadself();
    else if (!strcmp(argv[1], "threadfs"))
        case_threadfs();
    else if (!strcmp(argv[1], "vforkparent"))
        case_vforkparent();
    else if (!strcmp(argv[1], "execthread"))
        case_execthread();
    else
        return 2;
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
