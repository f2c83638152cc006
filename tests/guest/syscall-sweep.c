/* SPDX-License-Identifier: MIT */
/*
 * syscall-sweep: every x86_64 syscall number, called with a few argument
 * sets that are harmless but reach its argument checks, one line each:
 * "name(args) -> result", the result a number, "ok" (one that differs
 * from run to run), an errno name or SIG<name> when the call killed the
 * caller. Run natively (as nobody, in an empty directory) and under kbox
 * and diff: the differences found are classified in supervisor-status.md
 * (thirty-second session); 346-syscall-sweep-order.sh checks the calls
 * fixed then.
 *
 * Each argument has a kind (syscall-sweep.h, one letter per argument)
 * with a baseline value and alternatives: a file fd (3, -1, 9999), a
 * dirfd (AT_FDCWD, the file, -1, 9999), a path ("file", "missing", "",
 * NULL), a pointer (a zeroed buffer, NULL), a length (16, 0), flags and
 * modes (0, all bits), ... The sets are the baseline, the baseline with
 * one argument changed to each alternative, every argument at its worst
 * value and every pair of worst values (which error Linux checks first).
 *
 * Each call runs in a child with a 300 ms timer (calls that block end by
 * SIGALRM); the parent puts back "file" (16 bytes, fd 3) and removes
 * "missing" before each. Left out: reboot, vfork. Signals are 0 or
 * invalid, pids the caller's or one that cannot exist, IPC keys and ids
 * ones that do not exist, without IPC_CREAT: nothing reaches the host
 * outside the working directory.
 *
 * Usage: syscall-sweep [NAME...]   (default: all; run in an empty,
 * writable directory)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

struct sc {
    int nr;
    const char *name;
    const char *kinds; /* "-": left out, "?": no prototype (6 ints) */
};

static const struct sc table[] = {
#include "syscall-sweep.h"
};

#define NOPID 0x3fffffff
#define BUFSZ 16384

static char *buf; /* zeroed before each call */

/* a kind's values: [0] the baseline, the last the worst */
struct kind {
    char k;
    int n;
    const char *txt[4];
};

static const struct kind kinds[] = {
    { 'F', 3, { "3", "-1", "9999" } },
    { 'D', 4, { "CWD", "3", "9999", "-1" } },
    { 'P', 4, { "file", "missing", "\"\"", "NULL" } },
    { 'B', 2, { "buf", "NULL" } },
    { 'N', 2, { "16", "0" } },
    { 'G', 2, { "0", "~0" } },
    { 'M', 2, { "0", "~0" } },
    { 'X', 2, { "self", "nopid" } },
    { 'S', 2, { "0", "999" } },
    { 'U', 2, { "-1", "0" } },
    { 'Z', 2, { "8", "0" } },
    { 'I', 2, { "0", "-1" } },
    { 'R', 2, { "NOFILE", "-1" } },
    { 'K', 1, { "key" } },
    { 'Q', 2, { "noid", "-1" } },
    { 'C', 2, { "STAT", "-1" } },
    { 'W', 2, { "0", "0600" } },
};

static const struct kind *kind_of(char k)
{
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (kinds[i].k == k)
            return &kinds[i];
    return NULL;
}

static long value(char k, int v, pid_t self)
{
    switch (k) {
    case 'F':
        return v == 0 ? 3 : v == 1 ? -1 : 9999;
    case 'D':
        return v == 0 ? AT_FDCWD : v == 1 ? 3 : v == 2 ? 9999 : -1;
    case 'P': {
        static const char *p[] = { "file", "missing", "", NULL };
        return (long)p[v];
    }
    case 'B':
        return v == 0 ? (long)buf : 0;
    case 'N':
        return v == 0 ? 16 : 0;
    case 'G':
    case 'M':
        return v == 0 ? 0 : -1L;
    case 'X':
        return v == 0 ? self : NOPID;
    case 'S':
        return v == 0 ? 0 : 999;
    case 'U':
        return v == 0 ? -1 : 0;
    case 'Z':
        return v == 0 ? 8 : 0;
    case 'R':
        return v == 0 ? RLIMIT_NOFILE : -1;
    case 'K':
        return 0x6b627801;
    case 'Q':
        return v == 0 ? 0x7fffff00 : -1;
    case 'C':
        return v == 0 ? 2 /* IPC_STAT */ : -1;
    case 'W':
        return v == 0 ? 0 : 0600;
    default: /* 'I' */
        return v == 0 ? 0 : -1;
    }
}

/* success values that differ from run to run or host to host */
static int volatile_result(const char *name)
{
    static const char *v[] = {
        "getpid", "gettid", "getppid", "getpgrp", "getpgid",         "getsid",
        "setsid", "fork",   "clone",   "clone3",  "set_tid_address", "brk",
        "time",   "mmap",   "mremap",  "shmat",   "getcwd",          NULL
    };
    for (int i = 0; v[i]; i++)
        if (!strcmp(name, v[i]))
            return 1;
    return 0;
}

struct shared {
    long ret;
    int err;
    int done;
};
static struct shared *sh;

static void reset(void)
{
    unlink("missing");
    rmdir("missing");
    unlink("file");
    rmdir("file");
    int fd = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, "0123456789abcdef", 16) != 16) {
        perror("syscall-sweep: file");
        exit(2);
    }
    lseek(fd, 0, SEEK_SET);
    if (fd != 3) {
        dup2(fd, 3);
        close(fd);
    }
    memset(buf, 0, BUFSZ);
}

static void run(const struct sc *s, int nargs, const int *v)
{
    char line[512];
    int n = snprintf(line, sizeof(line), "%s(", s->name);
    for (int i = 0; i < nargs; i++) {
        const struct kind *k = kind_of(s->kinds[0] == '?' ? 'I' : s->kinds[i]);
        n += snprintf(line + n, sizeof(line) - n, "%s%s", i ? "," : "",
                      k->txt[v[i]]);
    }
    n += snprintf(line + n, sizeof(line) - n, ") -> ");
    reset();
    memset(sh, 0, sizeof(*sh));
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        exit(2);
    }
    if (pid == 0) {
        pid_t self = (pid_t)syscall(SYS_getpid);
        long a[6] = { 0 };
        for (int i = 0; i < nargs; i++)
            a[i] = value(s->kinds[0] == '?' ? 'I' : s->kinds[i], v[i], self);
        struct itimerval it = { { 0, 0 }, { 0, 300000 } };
        setitimer(ITIMER_REAL, &it, NULL);
        long r = syscall(s->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
        int e = errno;
        if (syscall(SYS_getpid) != self) /* a fork's child */
            syscall(SYS_exit_group, 0);
        sh->ret = r;
        sh->err = e;
        sh->done = 1;
        syscall(SYS_exit_group, 0);
    }
    int st;
    while (waitpid(pid, &st, WUNTRACED) < 0 && errno == EINTR)
        ;
    if (WIFSTOPPED(st)) {
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
        printf("%sSTOPPED\n", line);
        return;
    }
    if (sh->done) {
        if (sh->ret == -1)
            printf("%s%s\n", line, strerrorname_np(sh->err));
        else if (volatile_result(s->name) || sh->ret < 0 || sh->ret >= 1L << 20)
            printf("%sok\n", line);
        else
            printf("%s%ld\n", line, sh->ret);
    } else if (WIFSIGNALED(st)) {
        printf("%sSIG%s\n", line, sigabbrev_np(WTERMSIG(st)));
    } else {
        printf("%sEXIT%d\n", line, WEXITSTATUS(st));
    }
}

static int same(const int *a, const int *b, int n)
{
    return !memcmp(a, b, sizeof(int) * (size_t)n);
}

static void sweep(const struct sc *s)
{
    int nargs = s->kinds[0] == '?' ? 6 : (int)strlen(s->kinds);
    int base[6] = { 0 }, worst[6] = { 0 }, v[6];
    int seen[64][6];
    int nseen = 0;
    for (int i = 0; i < nargs; i++) {
        const struct kind *k = kind_of(s->kinds[0] == '?' ? 'I' : s->kinds[i]);
        if (!k) {
            fprintf(stderr, "syscall-sweep: %s: kind %c\n", s->name,
                    s->kinds[i]);
            exit(2);
        }
        worst[i] = k->n - 1;
    }
#define TRY(vec)                                         \
    do {                                                 \
        int dup_ = 0;                                    \
        for (int j_ = 0; j_ < nseen; j_++)               \
            dup_ |= same(seen[j_], vec, nargs);          \
        if (!dup_ && nseen < 64) {                       \
            memcpy(seen[nseen++], vec, sizeof(int) * 6); \
            run(s, nargs, vec);                          \
        }                                                \
    } while (0)
    TRY(base);
    if (s->kinds[0] != '?') {
        for (int i = 0; i < nargs; i++) {
            const struct kind *k = kind_of(s->kinds[i]);
            for (int a = 1; a < k->n; a++) {
                memcpy(v, base, sizeof(v));
                v[i] = a;
                TRY(v);
            }
        }
        for (int i = 0; i < nargs; i++)
            for (int j = i + 1; j < nargs; j++) {
                memcpy(v, base, sizeof(v));
                v[i] = worst[i];
                v[j] = worst[j];
                TRY(v);
            }
    }
    TRY(worst);
}

int main(int argc, char **argv)
{
    struct rlimit core = { 0, 0 };
    setrlimit(RLIMIT_CORE, &core);
    umask(022);
    signal(SIGPIPE, SIG_IGN);
    buf = mmap(NULL, BUFSZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
               -1, 0);
    sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
              -1, 0);
    if (buf == MAP_FAILED || sh == MAP_FAILED) {
        perror("mmap");
        return 2;
    }
    for (int fd = 3; fd < 1024; fd++)
        close(fd);
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        const struct sc *s = &table[i];
        if (s->kinds[0] == '-')
            continue;
        if (argc > 1) {
            int want = 0;
            for (int j = 1; j < argc; j++)
                want |= !strcmp(argv[j], s->name);
            if (!want)
                continue;
        }
        sweep(s);
    }
    unlink("file");
    unlink("missing");
    rmdir("missing");
    return 0;
}
