/* SPDX-License-Identifier: MIT */
/*
 * procfs-edges TEST DIR: what tests/guest/procfs-fuzz found kbox's /proc
 * to say differently from Linux's, one TEST each:
 *   state       the reader's own status says R (running)
 *   thread-self readlink("/proc/thread-self") in a thread: <pid>/task/<tid>
 *   tid         /proc/<tid> of a thread that is not the leader
 *   stack       /proc/self/stack is not readable without CAP_SYS_ADMIN
 *   unseen      a child whose calls were all served on the host (write to
 *               a pipe, pause) has its /proc/<pid> directory, cwd, listing
 *   fdmode      lstat of /proc/self/fd/N: the mode tells the fd's access
 *   maps        a shared mapping of a file in DIR: maps names its guest
 *               path, device and inode as stat does
 *   cwd         readlink of a child's /proc/<pid>/cwd when it is in a bind
 *   children    /proc/<pid>/task/<tid>/children lists the thread's children
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static const char *dir;

static long readf(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return -errno;
    n = read(fd, buf, size - 1);
    if (n < 0)
        n = -errno;
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return (long)n;
}

static const char *line_of(const char *text, const char *key)
{
    static char v[256];
    const char *p = strstr(text, key);

    v[0] = '\0';
    if (p && *p == '\n')
        p++;
    if (p)
        snprintf(v, sizeof(v), "%.*s", (int)strcspn(p, "\n"), p);
    return v;
}

static pid_t gettid_(void)
{
    return (pid_t)syscall(SYS_gettid);
}

/* ---- a second thread, waiting on a pipe ---- */
static int thr_pipe[2], thr_ready[2];
static pid_t thr_tid;
static char thr_link[128], thr_state[128];

static void *thr_main(void *arg)
{
    char buf[4096], path[128];
    ssize_t n;

    (void)arg;
    thr_tid = gettid_();
    n = readlink("/proc/thread-self", thr_link, sizeof(thr_link) - 1);
    thr_link[n > 0 ? n : 0] = '\0';
    snprintf(path, sizeof(path), "/proc/self/task/%d/status", thr_tid);
    readf(path, buf, sizeof(buf));
    snprintf(thr_state, sizeof(thr_state), "%s", line_of(buf, "State:"));
    if (write(thr_ready[1], "r", 1) != 1)
        return NULL;
    while (read(thr_pipe[0], buf, 1) < 0 && errno == EINTR)
        ;
    return NULL;
}

static pthread_t thr_start(void)
{
    pthread_t t;
    char c;

    if (pipe(thr_pipe) || pipe(thr_ready))
        exit(1);
    pthread_create(&t, NULL, thr_main, NULL);
    if (read(thr_ready[0], &c, 1) != 1)
        exit(1);
    return t;
}

static void thr_stop(pthread_t t)
{
    if (write(thr_pipe[1], "x", 1) != 1)
        exit(1);
    pthread_join(t, NULL);
}

static void t_state(void)
{
    char buf[4096];
    pthread_t t;

    readf("/proc/self/status", buf, sizeof(buf));
    check(!strcmp(line_of(buf, "State:"), "State:\tR (running)"),
          "own /proc/self/status: [%s]", line_of(buf, "State:"));
    snprintf(buf, sizeof(buf), "/proc/thread-self/status");
    readf(buf, buf, sizeof(buf));
    check(!strcmp(line_of(buf, "State:"), "State:\tR (running)"),
          "own /proc/thread-self/status: [%s]", line_of(buf, "State:"));
    t = thr_start();
    check(!strcmp(thr_state, "State:\tR (running)"),
          "a thread's own task/<tid>/status: [%s]", thr_state);
    thr_stop(t);
}

static void t_thread_self(void)
{
    char want[128], buf[128];
    pthread_t t = thr_start();
    ssize_t n;

    snprintf(want, sizeof(want), "%d/task/%d", getpid(), thr_tid);
    check(!strcmp(thr_link, want), "thread-self in a thread: %s (want %s)",
          thr_link, want);
    thr_stop(t);
    n = readlink("/proc/thread-self", buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = '\0';
    snprintf(want, sizeof(want), "%d/task/%d", getpid(), getpid());
    check(!strcmp(buf, want), "thread-self in the leader: %s", buf);
}

static void t_tid(void)
{
    char path[128], buf[4096], want[64];
    pthread_t t = thr_start();
    struct stat st;
    long r;

    snprintf(path, sizeof(path), "/proc/%d/stat", thr_tid);
    r = readf(path, buf, sizeof(buf));
    check(r > 0 && atol(buf) == thr_tid, "%s: %s", path,
          r < 0 ? strerrorname_np((int)-r) : "read");
    snprintf(path, sizeof(path), "/proc/%d/status", thr_tid);
    readf(path, buf, sizeof(buf));
    snprintf(want, sizeof(want), "Pid:\t%d", thr_tid);
    check(!strcmp(line_of(buf, "\nPid:"), want), "%s: [%s]", path,
          line_of(buf, "\nPid:"));
    snprintf(path, sizeof(path), "/proc/%d", thr_tid);
    check(stat(path, &st) == 0 && S_ISDIR(st.st_mode), "stat %s", path);
    thr_stop(t);
}

static void t_stack(void)
{
    char buf[4096];
    long r = readf("/proc/self/stack", buf, sizeof(buf));

    if (geteuid() == 0)
        check(r > 0, "root reads /proc/self/stack (%ld)", r);
    else
        check(r == -EACCES, "a user may not read /proc/self/stack (%s)",
              r < 0 ? strerrorname_np((int)-r) : "read");
}

static void t_unseen(void)
{
    char path[128], want[16], buf[512], cwd[512];
    int rp[2], listed = 0;
    struct dirent *e;
    struct stat st;
    ssize_t n;
    pid_t p;
    DIR *d;

    if (pipe(rp))
        exit(1);
    p = fork();
    if (p == 0) {
        /* only calls the host serves: no lx task has its pid yet */
        if (write(rp[1], "r", 1) != 1)
            _exit(1);
        for (;;)
            pause();
    }
    if (read(rp[0], buf, 1) != 1)
        exit(1);
    snprintf(path, sizeof(path), "/proc/%d/stat", p);
    check(stat(path, &st) == 0, "stat %s", path);
    snprintf(path, sizeof(path), "/proc/%d", p);
    check(stat(path, &st) == 0 && S_ISDIR(st.st_mode), "stat %s", path);
    snprintf(path, sizeof(path), "/proc/%d/cwd", p);
    n = readlink(path, buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = '\0';
    if (!getcwd(cwd, sizeof(cwd)))
        cwd[0] = '\0';
    check(n > 0 && !strcmp(buf, cwd), "readlink %s: %s", path, buf);
    snprintf(want, sizeof(want), "%d", p);
    d = opendir("/proc");
    while (d && (e = readdir(d)))
        listed |= !strcmp(e->d_name, want);
    if (d)
        closedir(d);
    check(listed, "/proc lists %s", want);
    kill(p, SIGKILL);
    waitpid(p, NULL, 0);
}

static void t_fdmode(void)
{
    static const struct {
        int flags;
        mode_t mode;
    } c[] = {
        { O_RDONLY, 0500 },
        { O_WRONLY, 0300 },
        { O_RDWR, 0700 },
    };
    char path[512];

    snprintf(path, sizeof(path), "%s/fdmode", dir);
    close(open(path, O_CREAT | O_WRONLY, 0644));
    for (int i = 0; i < 3; i++) {
        int fd = open(path, c[i].flags);
        char link[64];
        struct stat st;

        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        check(fd >= 0 && lstat(link, &st) == 0 &&
                  st.st_mode == (S_IFLNK | c[i].mode),
              "lstat of the link of an fd opened %s: %o (want %o)",
              c[i].flags == O_RDONLY   ? "O_RDONLY"
              : c[i].flags == O_WRONLY ? "O_WRONLY"
                                       : "O_RDWR",
              st.st_mode, S_IFLNK | c[i].mode);
        close(fd);
    }
    unlink(path);
}

static void t_maps(void)
{
    char path[512], real[512], buf[65536], want[32], *line;
    unsigned long ino = 0;
    unsigned int maj = 0, min = 0;
    char name[512] = "";
    struct stat st;
    void *a;
    int fd;

    snprintf(path, sizeof(path), "%s/mapped", dir);
    fd = open(path, O_CREAT | O_RDWR, 0644);
    if (fd < 0 || ftruncate(fd, 8192) || fstat(fd, &st)) {
        check(0, "make %s", path);
        return;
    }
    if (!realpath(path, real))
        real[0] = '\0';
    a = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    check(a != MAP_FAILED, "mmap MAP_SHARED");
    readf("/proc/self/maps", buf, sizeof(buf));
    snprintf(want, sizeof(want), "%lx-", (unsigned long)a);
    line = strstr(buf, want);
    if (line)
        sscanf(line, "%*x-%*x %*s %*x %x:%x %lu %511s", &maj, &min, &ino, name);
    check(line && !strcmp(name, real), "maps names %s: %s", real, name);
    check(makedev(maj, min) == st.st_dev,
          "maps device %02x:%02x (stat %02x:%02x)", maj, min, major(st.st_dev),
          minor(st.st_dev));
    check(ino == st.st_ino, "maps inode %lu (stat %lu)", ino,
          (unsigned long)st.st_ino);
    munmap(a, 8192);
    close(fd);
    unlink(path);
}

static void t_cwd(void)
{
    char path[128], buf[512], cwd[512];
    int rp[2];
    ssize_t n;
    pid_t p;

    if (pipe(rp))
        exit(1);
    p = fork();
    if (p == 0) {
        close(open("/", O_RDONLY | O_DIRECTORY)); /* a call lx serves */
        if (write(rp[1], "r", 1) != 1)
            _exit(1);
        for (;;)
            pause();
    }
    if (read(rp[0], buf, 1) != 1)
        exit(1);
    snprintf(path, sizeof(path), "/proc/%d/cwd", p);
    n = readlink(path, buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = '\0';
    if (!getcwd(cwd, sizeof(cwd)))
        cwd[0] = '\0';
    check(n > 0 && !strcmp(buf, cwd), "readlink %s: %s (cwd %s)", path, buf,
          cwd);
    kill(p, SIGKILL);
    waitpid(p, NULL, 0);
}

static void t_children(void)
{
    char path[128], buf[512], want[32];
    int rp[2];
    long r;
    pid_t p;

    if (pipe(rp))
        exit(1);
    p = fork();
    if (p == 0) {
        if (write(rp[1], "r", 1) != 1)
            _exit(1);
        for (;;)
            pause();
    }
    if (read(rp[0], buf, 1) != 1)
        exit(1);
    snprintf(path, sizeof(path), "/proc/self/task/%d/children", getpid());
    r = readf(path, buf, sizeof(buf));
    snprintf(want, sizeof(want), "%d ", p);
    check(r > 0 && !strcmp(buf, want), "%s: [%s] (%s)", path, buf,
          r < 0 ? strerrorname_np((int)-r) : "read");
    kill(p, SIGKILL);
    waitpid(p, NULL, 0);
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        void (*fn)(void);
    } tests[] = {
        { "state", t_state },       { "thread-self", t_thread_self },
        { "tid", t_tid },           { "stack", t_stack },
        { "unseen", t_unseen },     { "fdmode", t_fdmode },
        { "maps", t_maps },         { "cwd", t_cwd },
        { "children", t_children },
    };
    int found = 0;

    if (argc < 3) {
        fprintf(stderr, "usage: procfs-edges TEST DIR\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    dir = argv[2];
    if (chdir(dir)) {
        perror(dir);
        return 1;
    }
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
        if (!strcmp(argv[1], tests[i].name)) {
            tests[i].fn();
            found = 1;
        }
    if (!found) {
        fprintf(stderr, "no test %s\n", argv[1]);
        return 2;
    }
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
