/* SPDX-License-Identifier: MIT */
/*
 * Differential exec fuzzer.
 *
 * usage: exec-fuzz DIR SEED NOPS
 *
 * DIR should be an empty directory; everything is made inside it. The
 * program copies itself to DIR/fz and builds fixed targets (a symlink, a
 * symlink loop, a directory, a file without x bit, a file of zeros, an
 * empty file), then runs NOPS seeded operations: a child takes random
 * inherited fds (some close-on-exec, at random offsets), a random signal
 * mask and ignored or caught signals, and execs a target by execve,
 * execveat (dirfd-relative, AT_EMPTY_PATH of an O_PATH or O_RDONLY fd,
 * AT_SYMLINK_NOFOLLOW) or fexecve: DIR/fz, a #! script written at random
 * (an interpreter argument or none, lines near the 256-byte buffer,
 * trailing spaces, script interpreters nested past the kernel's limit,
 * missing or unexecutable interpreters) or an error case (ETXTBSY,
 * ENAMETOOLONG, ELOOP, E2BIG, a trailing slash). The exec'd copy (any
 * argv but exactly three with numeric 2nd and 3rd is report mode)
 * prints its argv, envp, AT_EXECFN, AT_SECURE, /proc/self/exe, comm,
 * open fds with offsets, signal mask and ignored signals. Paths under
 * DIR print as $D/..., so the trace is the same in any directory.
 * EXEC_FUZZ_NOEXECFN=1 leaves AT_EXECFN and comm out (known kbox gaps);
 * EXEC_FUZZ_BIND=1 avoids what kbox does not do in a bind (known gaps):
 * execveat from a directory fd, O_PATH fds, scripts run by fd.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz-util.h"

#define MAXFD 64

static char dir[4096];
static size_t dlen;

static uint32_t hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* Print a string with DIR replaced by $D, or its length and hash. */
static void pstr(const char *tag, const char *s)
{
    static char buf[1 << 18];
    size_t n = 0;
    const char *p = s;

    if (!s) {
        printf("%s (null)\n", tag);
        return;
    }
    while (*p && n < sizeof(buf) - 8) {
        if (dlen && !strncmp(p, dir, dlen)) {
            memcpy(buf + n, "$D", 2);
            n += 2;
            p += dlen;
            continue;
        }
        buf[n++] = isprint((unsigned char)*p) ? *p : '?';
        p++;
    }
    buf[n] = 0;
    if (n > 200 || *p)
        printf("%s len %zu hash %08x\n", tag, n, hash(buf, n));
    else
        printf("%s \"%s\"\n", tag, buf);
}

static void pvec(const char *tag, char **v)
{
    size_t n = 0, tot = 0;
    uint32_t h = 0;
    char t[32];

    while (v && v[n])
        n++;
    printf("%sc %zu\n", tag, n);
    if (n > 16) {
        for (size_t i = 0; i < n; i++) {
            size_t l = strlen(v[i]);
            tot += l;
            h = h * 31 + hash(v[i], l);
        }
        printf("%s total %zu hash %08x\n", tag, tot, h);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        snprintf(t, sizeof(t), "%s[%zu]", tag, i);
        pstr(t, v[i]);
    }
}

static int report(int argc, char **argv, char **envp)
{
    char buf[4096];
    ssize_t n;
    sigset_t set;
    uint64_t mask = 0, ign = 0;
    int noexecfn = !access(".noexecfn", F_OK);
    int fd;

    (void)argc;
    if (getcwd(dir, sizeof(dir)))
        dlen = strlen(dir);
    printf("report\n");
    pvec("arg", argv);
    pvec("env", envp);
    if (!noexecfn)
        pstr("execfn", (const char *)getauxval(AT_EXECFN));
    printf("secure %lu\n", getauxval(AT_SECURE));
    n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
    buf[n < 0 ? 0 : n] = 0;
    pstr("exe", buf);
    fd = open("/proc/self/comm", O_RDONLY);
    n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
    if (fd >= 0)
        close(fd);
    buf[n < 0 ? 0 : n] = 0;
    if (n > 0 && buf[n - 1] == '\n')
        buf[n - 1] = 0;
    if (!noexecfn)
        pstr("comm", buf);
    for (fd = 3; fd < MAXFD; fd++) {
        int fl = fcntl(fd, F_GETFD);
        if (fl < 0)
            continue;
        off_t off = lseek(fd, 0, SEEK_CUR);
        printf("fd %d cloexec %d off %lld acc %d\n", fd, fl & FD_CLOEXEC,
               (long long)off, fcntl(fd, F_GETFL) & O_ACCMODE);
    }
    sigprocmask(SIG_BLOCK, NULL, &set);
    for (int s = 1; s < 65; s++) {
        struct sigaction sa;
        if (s >= 32 && s < SIGRTMIN)
            continue;
        if (sigismember(&set, s) == 1)
            mask |= 1ull << (s - 1);
        if (!sigaction(s, NULL, &sa) && sa.sa_handler == SIG_IGN)
            ign |= 1ull << (s - 1);
        if (!sigaction(s, NULL, &sa) && sa.sa_handler != SIG_IGN &&
            sa.sa_handler != SIG_DFL)
            printf("handler %d\n", s);
    }
    printf("mask %016llx ign %016llx\n", (unsigned long long)mask,
           (unsigned long long)ign);
    fflush(stdout);
    return 0;
}

static void copy_file(const char *src, const char *dst, mode_t mode)
{
    char buf[65536];
    ssize_t n;
    int in = open(src, O_RDONLY), out;

    out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (in < 0 || out < 0) {
        perror(dst);
        exit(2);
    }
    while ((n = read(in, buf, sizeof(buf))) > 0)
        if (write(out, buf, (size_t)n) != n)
            exit(2);
    close(in);
    close(out);
    chmod(dst, mode);
}

static void put_file(const char *name, const char *text, size_t len,
                     mode_t mode)
{
    int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
        perror(name);
        exit(2);
    }
    close(fd);
    chmod(name, mode);
}

static void setup(void)
{
    char z[512];

    copy_file("/proc/self/exe", "fz", 0755);
    copy_file("fz", "nox", 0644);
    copy_file("fz", "busy", 0755);
    symlink("fz", "lnfz");
    symlink("loop2", "loop1");
    symlink("loop1", "loop2");
    mkdir("d", 0755);
    memset(z, 0, sizeof(z));
    put_file("zeros", z, sizeof(z), 0755);
    put_file("empty", "", 0, 0755);
    memset(z, 'x', sizeof(z));
    put_file("data", z, sizeof(z), 0644);
}

/* ---- what the child execs ---- */

static char path[8192]; /* the path argument */
static char *av[4096];  /* argv */
static char *ev[4096];  /* envp */
static int avnull, evnull;
static char desc[512];
static size_t dn;

static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dn += (size_t)vsnprintf(desc + dn, sizeof(desc) - dn, fmt, ap);
    va_end(ap);
}

/* A script named s<k>: returns its name in buf. */
static int nscript;

static void script_line(char *name, size_t nsz, const char *interp)
{
    char text[8192];
    size_t n = 0;
    int kind = (int)rnd(10);
    int fd;

    snprintf(name, nsz, "s%d", nscript++);
    n += (size_t)snprintf(text + n, sizeof(text) - n, "#!");
    if (rnd(3) == 0)
        n += (size_t)snprintf(text + n, sizeof(text) - n, "%s",
                              rnd(2) ? " " : " \t ");
    n += (size_t)snprintf(text + n, sizeof(text) - n, "%s", interp);
    say(" script %s kind %d", name, kind);
    if (kind >= 6 && kind <= 8) {
        /* first line of total length L near the 256-byte buffer, padded
         * in the argument (kind 6), in trailing blanks (7) or in a
         * slash run inside the interpreter path (8, rebuilt) */
        int target = 250 + (int)rnd(12);
        say(" L %d", target);
        if (kind == 8) {
            const char *base = strrchr(interp, '/');
            size_t pre = base ? (size_t)(base - interp) : 0;
            n = 2;
            memcpy(text + n, interp, pre);
            n += pre;
            size_t rest = strlen(interp + pre);
            while (n + rest < (size_t)target)
                text[n++] = '/';
            memcpy(text + n, interp + pre, rest);
            n += rest;
            if (!base)
                n = (size_t)snprintf(text, sizeof(text), "#!%s", interp);
        } else {
            if (kind == 6)
                text[n++] = ' ';
            for (int c = 0; n < (size_t)target; c++)
                text[n++] = kind == 6 ? (char)('a' + c % 26) : ' ';
        }
        if (rnd(4))
            text[n++] = '\n';
        else
            say(" nonl");
    } else {
        if (kind >= 3)
            n += (size_t)snprintf(text + n, sizeof(text) - n, " arg%d%s", kind,
                                  kind == 5 ? " two" : "");
        if (kind == 4 || rnd(4) == 0)
            n += (size_t)snprintf(text + n, sizeof(text) - n, "  \t");
        if (kind == 9)
            text[n++] = '\r';
        text[n++] = '\n';
    }
    n += (size_t)snprintf(text + n, sizeof(text) - n, "exit 3\n");
    unlink(name);
    fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    if (fd < 0 || write(fd, text, n) != (ssize_t)n)
        exit(2);
    close(fd);
    if (rnd(12) == 0) {
        chmod(name, 0644);
        say(" nox");
    }
}

static char *bigbuf;

static void fill_args(void)
{
    int na = (int)rnd(5), ne = (int)rnd(4);
    static char sa[16][32], se[16][32];

    avnull = evnull = 0;
    for (int i = 0; i < na; i++) {
        snprintf(sa[i], sizeof(sa[i]), "a%d-%u", i, rnd(1000));
        if (rnd(8) == 0)
            sa[i][0] = 0;
        av[i] = sa[i];
    }
    av[na] = NULL;
    for (int i = 0; i < ne; i++) {
        snprintf(se[i], sizeof(se[i]), "E%d=v%u", i, rnd(1000));
        ev[i] = se[i];
    }
    ev[ne] = NULL;
    if (rnd(12) == 0)
        avnull = 1;
    if (rnd(12) == 0)
        evnull = 1;
    say(" argc %d envc %d%s%s", na, ne, avnull ? " argvNULL" : "",
        evnull ? " envpNULL" : "");
}

/* E2BIG-near argument lists; the stack limit is set to 8 MiB. */
static void fill_big(void)
{
    int kind = (int)rnd(4);
    size_t limit = (8u << 20) / 4, used = 0;
    int n = 0;

    avnull = evnull = 0;
    if (!bigbuf)
        bigbuf = malloc(4u << 20);
    memset(bigbuf, 'b', 4u << 20);
    if (kind < 2) {
        /* one string of MAX_ARG_STRLEN - 1 (fits) or MAX_ARG_STRLEN */
        size_t l = 131072 - (kind == 0);
        bigbuf[l] = 0;
        av[0] = (char *)"big";
        av[1] = bigbuf;
        av[2] = NULL;
        ev[0] = NULL;
        say(" bigstr %zu", l);
        return;
    }
    /* many strings: total 8 KiB under or over the limit */
    size_t want = kind == 2 ? limit - 8192 : limit + 8192;
    char *p = bigbuf;
    av[n++] = (char *)"many";
    while (used < want && n < 4000) {
        size_t l = 100000;
        if (used + l + 1 + 8 > want)
            l = want - used > 9 ? want - used - 9 : 1;
        p[l] = 0;
        av[n++] = p;
        used += l + 1 + 8;
        p += l + 1;
    }
    av[n] = NULL;
    ev[0] = NULL;
    say(" many %s", kind == 2 ? "under" : "over");
}

enum how {
    H_EXECVE_ABS,
    H_EXECVE_REL,
    H_AT_DIRFD,
    H_AT_OPATH_DIRFD,
    H_AT_CWD,
    H_EMPTY_OPATH,
    H_EMPTY_RDONLY,
    H_FEXECVE,
    H_NHOW
};

static const char *hown[] = { "execve-abs",   "execve-rel", "at-dirfd",
                              "at-opathdir",  "at-cwd",     "empty-opath",
                              "empty-rdonly", "fexecve" };

static int do_exec(int how, const char *name, int flags)
{
    char p[8192];
    int fd, fdno = 10 + (int)rnd(20);
    char **a = avnull ? NULL : av, **e = evnull ? NULL : ev;

    switch (how) {
    case H_EXECVE_ABS:
        snprintf(p, sizeof(p), "%s/%s", dir, name);
        return execve(p, a, e);
    case H_EXECVE_REL:
        return execve(name, a, e);
    case H_AT_DIRFD:
    case H_AT_OPATH_DIRFD:
        fd = open(".", (how == H_AT_DIRFD ? O_RDONLY : O_PATH) | O_DIRECTORY |
                           (rnd(2) ? O_CLOEXEC : 0));
        if (fd < 0 || dup2(fd, fdno) < 0)
            return -1;
        return (int)syscall(SYS_execveat, fdno, name, a, e, flags);
    case H_AT_CWD:
        return (int)syscall(SYS_execveat, AT_FDCWD, name, a, e, flags);
    default:
        fd = open(name, (how == H_EMPTY_OPATH ? O_PATH : O_RDONLY) |
                            (flags & AT_SYMLINK_NOFOLLOW ? O_NOFOLLOW : 0));
        if (fd < 0) {
            printf("open %s\n", strerrorname_np(errno));
            return -1;
        }
        if (fd != fdno && dup2(fd, fdno) >= 0)
            close(fd);
        else
            fdno = fd;
        if (rnd(3) == 0) {
            fcntl(fdno, F_SETFD, FD_CLOEXEC);
            printf("cloexec fd\n");
            fflush(stdout);
        }
        if (how == H_FEXECVE)
            return fexecve(fdno, a ? a : av, e ? e : ev);
        return (int)syscall(SYS_execveat, fdno, "", a, e,
                            AT_EMPTY_PATH | flags);
    }
}

static void child_setup(void)
{
    struct rlimit rl = { 8u << 20, RLIM_INFINITY };
    sigset_t set;
    int nfd = (int)rnd(5);

    getrlimit(RLIMIT_STACK, &rl);
    rl.rlim_cur = 8u << 20;
    setrlimit(RLIMIT_STACK, &rl);
    for (int i = 0; i < nfd; i++) {
        int fdno = 3 + (int)rnd(MAXFD - 3);
        int fd = open("data", rnd(2) ? O_RDONLY : O_RDWR);
        if (fd < 0)
            continue;
        lseek(fd, rnd(600), SEEK_SET);
        if (fd != fdno) {
            dup2(fd, fdno);
            close(fd);
        }
        if (rnd(2))
            fcntl(fdno, F_SETFD, FD_CLOEXEC);
    }
    sigemptyset(&set);
    for (int s = 1; s < 65; s++) {
        if (s == SIGKILL || s == SIGSTOP || s == SIGALRM ||
            (s >= 32 && s < SIGRTMIN))
            continue;
        if (rnd(5) == 0)
            sigaddset(&set, s);
        int r = (int)rnd(8);
        if (r == 0)
            signal(s, SIG_IGN);
        else if (r == 1)
            signal(s, (void (*)(int))(uintptr_t)0x1234); /* never called */
    }
    sigprocmask(SIG_SETMASK, &set, NULL);
    alarm(20);
}

static void one_op(int op)
{
    int pfd[2], st;
    pid_t pid;
    char name[64];
    int how = (int)rnd(H_NHOW), flags = 0, kind;
    uint64_t seed;

    dn = 0;
    desc[0] = 0;
    kind = (int)rnd(20);
    strcpy(name, "fz");
    say("op %d %s", op, hown[how]);
    fill_args();
    switch (kind) {
    case 0 ... 4:
        say(" fz");
        break;
    case 5:
        strcpy(name, "lnfz");
        if (rnd(2)) {
            flags = AT_SYMLINK_NOFOLLOW;
            say(" nofollow");
        }
        say(" lnfz");
        break;
    case 6 ... 9: {
        char iname[4200];
        int depth = kind == 9 ? 1 + (int)rnd(7) : 1;
        const char *ip = "fz";
        char cur[64];
        for (int i = 0; i < depth; i++) {
            snprintf(iname, sizeof(iname), "%s/%s", dir, ip);
            if (i == 0 && rnd(8) == 0) {
                snprintf(iname, sizeof(iname), "%s", rnd(2) ? "./fz" : "fz");
                say(" relinterp");
            }
            script_line(cur, sizeof(cur), iname);
            strcpy(name, cur);
            ip = name;
        }
        say(" depth %d", depth);
        break;
    }
    case 10: {
        static const char *bad[] = { "nothere", "nox",   "d",
                                     "zeros",   "empty", "loop1" };
        char iname[4200];
        const char *b = bad[rnd(6)];
        snprintf(iname, sizeof(iname), "%s/%s", dir, b);
        script_line(name, sizeof(name), iname);
        say(" badinterp %s", b);
        break;
    }
    case 11: {
        static const char *bad[] = { "d",     "nox",     "zeros",
                                     "empty", "nothere", "loop1",
                                     "fz/",   "d/",      "lnfz/" };
        strcpy(name, bad[rnd(9)]);
        say(" bad %s", name);
        break;
    }
    case 12:
        strcpy(name, "busy");
        say(" busy");
        break;
    case 13: {
        /* a long path: ../d repeated, or one component over 255 */
        size_t n = 0;
        if (rnd(2)) {
            while (n < 4100)
                n += (size_t)snprintf(path + n, sizeof(path) - n, "d/../");
            say(" longpath");
        } else {
            while (n < 256)
                path[n++] = 'c';
            say(" longname");
        }
        strcpy(path + n, "fz");
        break;
    }
    case 14:
        fill_big();
        say(" big");
        break;
    default:
        say(" fz");
        break;
    }
    if (getenv("EXEC_FUZZ_BIND")) {
        /* kbox's known gaps in a bind: a directory fd's short names
         * (ENAMETOOLONG), O_PATH fds (read as files), a script run by
         * its fd (named "" to its interpreter) */
        if (how == H_AT_DIRFD || how == H_AT_OPATH_DIRFD)
            how = H_AT_CWD;
        if (how == H_EMPTY_OPATH)
            how = H_EMPTY_RDONLY;
        if (kind >= 6 && kind <= 10 && how >= H_EMPTY_OPATH)
            how = H_EXECVE_ABS;
        say(" as %s", hown[how]);
    }
    printf("%s\n", desc);
    fflush(stdout);
    seed = rng;
    if (pipe(pfd))
        exit(2);
    pid = fork();
    if (pid == 0) {
        int busyfd = -1;
        rng = seed ^ 0x9e3779b97f4a7c15ull;
        close(pfd[0]);
        dup2(pfd[1], 1);
        close(pfd[1]);
        child_setup();
        if (kind == 12) {
            busyfd = open("busy", O_WRONLY);
            if (rnd(2))
                fcntl(busyfd, F_SETFD, FD_CLOEXEC);
        }
        if (kind == 13) {
            if (how == H_EXECVE_ABS)
                how = H_EXECVE_REL;
            if (how >= H_EMPTY_OPATH)
                how = H_AT_CWD;
            do_exec(how, path, flags);
        } else {
            do_exec(how, name, flags);
        }
        printf("errno %s\n", strerrorname_np(errno));
        fflush(stdout);
        _exit(99);
    }
    close(pfd[1]);
    {
        char buf[4096];
        ssize_t n;
        while ((n = read(pfd[0], buf, sizeof(buf))) > 0)
            fwrite(buf, 1, (size_t)n, stdout);
    }
    close(pfd[0]);
    waitpid(pid, &st, 0);
    if (WIFEXITED(st))
        printf("exit %d\n", WEXITSTATUS(st));
    else
        printf("signal %d\n", WTERMSIG(st));
    fflush(stdout);
}

static int numeric(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

int main(int argc, char **argv, char **envp)
{
    int nops;

    if (argc != 4 || !numeric(argv[2]) || !numeric(argv[3]))
        return report(argc, argv, envp);
    if (chdir(argv[1]) || !getcwd(dir, sizeof(dir)) || strlen(dir) > 60) {
        fprintf(stderr, "%s: not a directory or longer than 60 bytes\n",
                argv[1]);
        return 2;
    }
    /* work in a subdirectory whose path is 64 bytes long, so that lines
     * near the #! buffer's size break the same way in any DIR */
    dlen = strlen(dir);
    dir[dlen++] = '/';
    while (dlen < 64)
        dir[dlen++] = 'p';
    dir[dlen] = 0;
    if (mkdir(dir, 0755) || chdir(dir)) {
        perror(dir);
        return 2;
    }
    syscall(SYS_close_range, 3, ~0u, 0);
    rng = strtoull(argv[2], NULL, 10) * 0x2545f4914f6cdd1dull + 1;
    nops = atoi(argv[3]);
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    setup();
    if (getenv("EXEC_FUZZ_NOEXECFN"))
        put_file(".noexecfn", "", 0, 0644);
    for (int i = 0; i < nops; i++)
        one_op(i);
    printf("done\n");
    return 0;
}
