/* SPDX-License-Identifier: MIT */
/*
 * Differential /proc fuzzer: procfs-fuzz DIR SEED NOPS [-k]. Seeded
 * random operations that change what ps, top, htop, pgrep, lsof, free and
 * container tools read from /proc (threads, children running, sleeping,
 * stopped or zombie, comm and argv rewrites, signal masks and
 * dispositions, umask, rlimits, oom_score_adj, open files with offsets
 * and flags, file mappings in DIR), each followed by a look at the
 * entries that describe it (stat, statm, status, cmdline, environ, comm,
 * maps, smaps, limits, fdinfo, fd/, task/, the exe/cwd/root/fd links,
 * entry modes and owners) or at the machine files (loadavg, uptime,
 * meminfo, stat, cpuinfo, sysctls). The trace holds no pid, fd number,
 * inode or time: facts are checked against the calls that tell the same
 * thing (getppid, sigprocmask, fstat, lseek, getrlimit, ...) and printed
 * as "ok" or the difference. -k masks the known gaps
 * (docs/supervisor-status.md): entries and sysctls lx lacks (loginuid,
 * uid_map, pagemap, ...; lx_lacks), the namespaces other than mnt and an
 * unreaped zombie's /proc/<pid>.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static unsigned long long rng;
static int known; /* -k */
static const char *dir;
static char **g_argv;
static char *argv_lo, *argv_hi; /* the argument block */
static char *env_lo, *env_hi;   /* the initial environment block */
static char exe_real[512];      /* realpath of argv[0] at the start */

static unsigned rnd(unsigned n)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((rng >> 33) % n);
}

static pid_t gettid_(void)
{
    return (pid_t)syscall(SYS_gettid);
}

/* The whole of a file: its length, or -errno. */
static long readf(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t n = 0;
    ssize_t r;

    if (fd < 0)
        return -errno;
    while (n < size - 1 && (r = read(fd, buf + n, size - 1 - n)) > 0)
        n += (size_t)r;
    r = r < 0 ? -errno : (long)n;
    close(fd);
    buf[n] = '\0';
    return (long)r;
}

static const char *ename(long r)
{
    return r < 0 ? strerrorname_np((int)-r) : "ok";
}

/* stat fields: f[0] pid, f[1] comm, f[2] state ... (1-based index - 1). */
#define NSTAT 64
struct pstat {
    int n;
    char comm[64];
    char f[NSTAT][32];
};

static long read_stat(const char *path, struct pstat *s)
{
    static char buf[4096];
    long r = readf(path, buf, sizeof buf);
    char *open_, *close_, *p, *save = NULL;

    memset(s, 0, sizeof *s);
    if (r < 0)
        return r;
    open_ = strchr(buf, '(');
    close_ = strrchr(buf, ')');
    if (!open_ || !close_ || close_ < open_)
        return -EPROTO;
    snprintf(s->f[0], sizeof s->f[0], "%.*s", (int)(open_ - buf - 1), buf);
    snprintf(s->comm, sizeof s->comm, "%.*s", (int)(close_ - open_ - 1),
             open_ + 1);
    s->n = 2;
    for (p = strtok_r(close_ + 1, " \n", &save); p && s->n < NSTAT;
         p = strtok_r(NULL, " \n", &save))
        snprintf(s->f[s->n++], sizeof s->f[0], "%s", p);
    return r;
}

static long fld(const struct pstat *s, int i)
{
    return atol(s->f[i - 1]);
}

/* The value of "Key:" in a status-like text, tabs/spaces trimmed. */
static int status_get(const char *text, const char *key, char *out, size_t len)
{
    size_t kl = strlen(key);
    const char *p = text;

    while (p && *p) {
        if (!strncmp(p, key, kl) && p[kl] == ':') {
            const char *v = p + kl + 1, *e;

            while (*v == '\t' || *v == ' ')
                v++;
            e = strchr(v, '\n');
            if (!e)
                e = v + strlen(v);
            while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
                e--;
            snprintf(out, len, "%.*s", (int)(e - v), v);
            return 0;
        }
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    out[0] = '\0';
    return -1;
}

/* ---- threads ---- */
#define NTHR 3
struct thr {
    pthread_t t;
    pid_t tid;
    int live, pipe[2], ready[2];
    char name[16];
    char self_link[64]; /* what /proc/thread-self read in the thread */
    int stat_pid_ok, status_pid_ok;
};
static struct thr thr[NTHR];

static void *thr_main(void *arg)
{
    struct thr *t = arg;
    char buf[64], want[64], text[4096];
    struct pstat s;
    ssize_t n;

    t->tid = gettid_();
    n = readlink("/proc/thread-self", buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    snprintf(want, sizeof want, "%d/task/%d", getpid(), t->tid);
    snprintf(t->self_link, sizeof t->self_link, "%s",
             n < 0               ? strerrorname_np(errno)
             : strcmp(buf, want) ? buf
                                 : "ok");
    t->stat_pid_ok = read_stat("/proc/thread-self/stat", &s) > 0 &&
                     fld(&s, 1) == t->tid && fld(&s, 4) == getppid();
    t->status_pid_ok = 0;
    if (readf("/proc/thread-self/status", text, sizeof text) > 0) {
        char v[64];

        status_get(text, "Pid", v, sizeof v);
        t->status_pid_ok = atol(v) == t->tid;
        status_get(text, "Tgid", v, sizeof v);
        t->status_pid_ok &= atol(v) == getpid();
    }
    if (write(t->ready[1], "r", 1) != 1)
        return NULL;
    while (read(t->pipe[0], buf, 1) < 0 && errno == EINTR)
        ;
    return NULL;
}

static int nthreads(void)
{
    int n = 1;

    for (int i = 0; i < NTHR; i++)
        n += thr[i].live;
    return n;
}

/* ---- children ---- */
#define NKID 3
struct kid {
    pid_t pid;
    char kind; /* S sleeping, T stopped, Z zombie, R running */
    int own_group;
    int undumpable;
};
static struct kid kid[NKID];

/* ---- files ---- */
#define NFILE 3
struct ofile {
    int fd;
    int cloexec;
    char name[32];
};
static struct ofile ofile[NFILE];

#define NMAP 3
struct omap {
    void *addr;
    size_t len;
    off_t off;
    int shared;
    char name[32];
};
static struct omap omap[NMAP];

/* A path as the trace shows it: DIR's prefix as "$D". */
static const char *norm_path(const char *p)
{
    static char out[512];
    char real[512];
    size_t dl;

    if (!realpath(dir, real))
        snprintf(real, sizeof real, "%s", dir);
    dl = strlen(real);
    if (!strncmp(p, real, dl))
        snprintf(out, sizeof out, "$D%s", p + dl);
    else if (!strncmp(p, "pipe:[", 6))
        snprintf(out, sizeof out, "pipe:[#]");
    else if (!strncmp(p, "socket:[", 8))
        snprintf(out, sizeof out, "socket:[#]");
    else
        snprintf(out, sizeof out, "%s", p);
    return out;
}

/* ---- operations ---- */

static void op_stat_self(void)
{
    struct pstat s;
    static long start0 = -1;
    long r = read_stat("/proc/self/stat", &s);

    if (r < 0) {
        printf("stat self: %s\n", ename(r));
        return;
    }
    if (start0 < 0)
        start0 = fld(&s, 22);
    printf(
        "stat self: n=%d pid=%s state=%s ppid=%s pgrp=%s sid=%s "
        "tty=%s tpgid=%s threads=%s start=%s rss=%s\n",
        s.n, fld(&s, 1) == getpid() ? "ok" : s.f[0], s.f[2],
        fld(&s, 4) == getppid() ? "ok" : "bad",
        fld(&s, 5) == getpgrp() ? "ok" : "bad",
        fld(&s, 6) == getsid(0) ? "ok" : "bad", fld(&s, 7) == 0 ? "0" : "tty",
        fld(&s, 8) == -1          ? "-1"
        : fld(&s, 8) == getpgrp() ? "pg"
                                  : "other",
        fld(&s, 20) == nthreads() ? "ok" : s.f[19],
        fld(&s, 22) == start0 ? "same" : "moved", fld(&s, 24) > 0 ? "ok" : "0");
}

static void op_statm(void)
{
    char buf[256];
    long v[8] = { 0 };
    long r = readf("/proc/self/statm", buf, sizeof buf);
    int n;

    if (r < 0) {
        printf("statm: %s\n", ename(r));
        return;
    }
    n = sscanf(buf, "%ld %ld %ld %ld %ld %ld %ld", &v[0], &v[1], &v[2], &v[3],
               &v[4], &v[5], &v[6]);
    printf("statm: n=%d size>=rss=%d rss>=shared=%d text>0=%d lib=%ld "
           "dt=%ld\n",
           n, v[0] >= v[1], v[1] >= v[2], v[3] > 0, v[4], v[6]);
}

static void sigset_hex(const sigset_t *set, char *out)
{
    unsigned long long m = 0;

    for (int s = 1; s <= 64; s++)
        if (s < SIGRTMIN || s > 34)
            if (sigismember(set, s) == 1)
                m |= 1ULL << (s - 1);
    sprintf(out, "%016llx", m);
}

static void op_status_self(void)
{
    static char text[8192];
    char v[512], want[512];
    long r = readf("/proc/self/status", text, sizeof text);
    uid_t ru, eu, su;
    gid_t rg, eg, sg;
    sigset_t blk, ign, cgt;
    cpu_set_t cpus;
    mode_t um;
    gid_t groups[64];
    int ng;

    if (r < 0) {
        printf("status self: %s\n", ename(r));
        return;
    }
    printf("status self:");
    status_get(text, "Name", v, sizeof v);
    {
        char comm[32] = "";

        prctl(PR_GET_NAME, comm);
        printf(" name=%s", strcmp(v, comm) ? v : "ok");
    }
    status_get(text, "State", v, sizeof v);
    printf(" state=%s", v);
    status_get(text, "Tgid", v, sizeof v);
    printf(" tgid=%s", atol(v) == getpid() ? "ok" : "bad");
    status_get(text, "Pid", v, sizeof v);
    printf(" pid=%s", atol(v) == gettid_() ? "ok" : "bad");
    status_get(text, "PPid", v, sizeof v);
    printf(" ppid=%s", atol(v) == getppid() ? "ok" : "bad");
    status_get(text, "TracerPid", v, sizeof v);
    printf(" tracer=%s", v);
    getresuid(&ru, &eu, &su);
    getresgid(&rg, &eg, &sg);
    status_get(text, "Uid", v, sizeof v);
    snprintf(want, sizeof want, "%u\t%u\t%u\t%u", ru, eu, su,
             (unsigned)setfsuid(-1));
    printf(" uid=%s", strcmp(v, want) ? v : "ok");
    status_get(text, "Gid", v, sizeof v);
    snprintf(want, sizeof want, "%u\t%u\t%u\t%u", rg, eg, sg,
             (unsigned)setfsgid(-1));
    printf(" gid=%s", strcmp(v, want) ? v : "ok");
    ng = getgroups(64, groups);
    want[0] = '\0';
    for (int i = 0; i < ng; i++)
        snprintf(want + strlen(want), sizeof want - strlen(want), "%s%u",
                 i ? " " : "", groups[i]);
    status_get(text, "Groups", v, sizeof v);
    printf(" groups=%s", strcmp(v, want) ? "bad" : "ok");
    um = umask(0);
    umask(um);
    status_get(text, "Umask", v, sizeof v);
    printf(" umask=%s", strtoul(v, NULL, 8) == um ? "ok" : v);
    status_get(text, "Threads", v, sizeof v);
    printf(" threads=%s", atoi(v) == nthreads() ? "ok" : v);
    sigprocmask(SIG_BLOCK, NULL, &blk);
    sigemptyset(&ign);
    sigemptyset(&cgt);
    for (int s = 1; s < 65; s++) {
        struct sigaction sa;

        if (sigaction(s, NULL, &sa))
            continue;
        if (sa.sa_handler == SIG_IGN)
            sigaddset(&ign, s);
        else if (sa.sa_handler != SIG_DFL)
            sigaddset(&cgt, s);
    }
    sigset_hex(&blk, want);
    status_get(text, "SigBlk", v, sizeof v);
    printf(" sigblk=%s", strcmp(v, want) ? v : "ok");
    sigset_hex(&ign, want);
    status_get(text, "SigIgn", v, sizeof v);
    printf(" sigign=%s", strcmp(v, want) ? v : "ok");
    sigset_hex(&cgt, want);
    status_get(text, "SigCgt", v, sizeof v);
    /* libc's own handlers (SIGRTMIN, SIGRTMIN+1) are not seen above */
    {
        unsigned long long have = strtoull(v, NULL, 16) & ~(3ULL << 31);
        unsigned long long w = strtoull(want, NULL, 16);

        printf(" sigcgt=%s", have == w ? "ok" : v);
    }
    status_get(text, "SigPnd", v, sizeof v);
    printf(" sigpnd=%s", v);
    status_get(text, "NoNewPrivs", v, sizeof v);
    printf(" nnp=%s",
           atoi(v) == prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) ? "ok" : v);
    CPU_ZERO(&cpus);
    sched_getaffinity(0, sizeof cpus, &cpus);
    status_get(text, "Cpus_allowed_list", v, sizeof v);
    {
        /* count the CPUs the list names */
        int n = 0, a, b;
        char *p = v;

        while (*p) {
            if (sscanf(p, "%d-%d", &a, &b) == 2)
                n += b - a + 1;
            else if (sscanf(p, "%d", &a) == 1)
                n++;
            p = strchr(p, ',');
            if (!p)
                break;
            p++;
        }
        printf(" cpus=%s", n == CPU_COUNT(&cpus) ? "ok" : v);
    }
    status_get(text, "VmRSS", v, sizeof v);
    printf(" vmrss=%s", atol(v) > 0 ? "ok" : v);
    printf("\n");
}

static void op_signals(void)
{
    int sig = 1 + (int)rnd(31);
    sigset_t set;
    struct sigaction sa;

    if (sig == SIGKILL || sig == SIGSTOP || sig == SIGCHLD)
        sig = SIGUSR2;
    memset(&sa, 0, sizeof sa);
    switch (rnd(4)) {
    case 0:
        sigemptyset(&set);
        sigaddset(&set, sig);
        sigprocmask(SIG_BLOCK, &set, NULL);
        printf("signals: block %s\n", sigabbrev_np(sig));
        break;
    case 1:
        sigemptyset(&set);
        sigaddset(&set, sig);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        printf("signals: unblock %s\n", sigabbrev_np(sig));
        break;
    case 2:
        sa.sa_handler = SIG_IGN;
        sigaction(sig, &sa, NULL);
        printf("signals: ignore %s\n", sigabbrev_np(sig));
        break;
    default:
        sa.sa_handler = SIG_DFL;
        sigaction(sig, &sa, NULL);
        printf("signals: default %s\n", sigabbrev_np(sig));
        break;
    }
}

/* cmdline and environ against the blocks the process started with. */
static void op_cmdline(void)
{
    static char buf[65536];
    long r = readf("/proc/self/cmdline", buf, sizeof buf);
    size_t al = (size_t)(argv_hi - argv_lo);

    printf("cmdline: %s", ename(r));
    if (r >= 0)
        printf(" len=%s bytes=%s", (size_t)r == al ? "ok" : "bad",
               (size_t)r == al && !memcmp(buf, argv_lo, al) ? "ok" : "bad");
    r = readf("/proc/self/environ", buf, sizeof buf);
    al = (size_t)(env_hi - env_lo);
    printf(" environ: %s", ename(r));
    if (r >= 0)
        printf(" len=%s bytes=%s", (size_t)r == al ? "ok" : "bad",
               (size_t)r == al && !memcmp(buf, env_lo, al) ? "ok" : "bad");
    printf("\n");
}

/* setproctitle's way: rewrite the argument strings in place */
static void op_argv_rewrite(void)
{
    char *last = g_argv[0] + strlen(g_argv[0]) - 1;

    *last = (char)('a' + rnd(26));
    printf("argv rewrite: argv0 ends %c\n", *last);
    op_cmdline();
}

static const char *const names[] = {
    "fz", "a b", "x)y (z", "tab\tx", "fifteen-chars-x", "sixteen-chars-xy",
    "%s", "n\nl"
};

static void show_comm(const char *what)
{
    char comm[32] = "", buf[256], v[256];
    struct pstat s;
    long r;

    prctl(PR_GET_NAME, comm);
    r = readf("/proc/self/comm", buf, sizeof buf);
    buf[strcspn(buf, "\n")] = '\0';
    printf("%s: prctl=[%s] comm=%s[%s]", what, comm, ename(r), buf);
    read_stat("/proc/self/stat", &s);
    printf(" stat=%s", strcmp(s.comm, comm) ? s.comm : "ok");
    readf("/proc/self/status", buf, sizeof buf);
    status_get(buf, "Name", v, sizeof v);
    printf(" status=[%s]", v);
    snprintf(v, sizeof v, "/proc/self/task/%d/comm", gettid_());
    r = readf(v, buf, sizeof buf);
    printf(" task=%s", r < 0                              ? ename(r)
                       : strncmp(buf, comm, strlen(comm)) ? buf
                                                          : "ok");
    printf("\n");
}

static void op_comm(void)
{
    const char *n = names[rnd(sizeof names / sizeof names[0])];

    if (rnd(2)) {
        prctl(PR_SET_NAME, n);
        show_comm("comm by prctl");
    } else {
        int fd = open("/proc/self/comm", O_WRONLY | O_CLOEXEC);
        ssize_t w = fd < 0 ? -1 : write(fd, n, strlen(n));

        printf("comm write: open=%s write=%s\n",
               fd < 0 ? strerrorname_np(errno) : "ok",
               w < 0                     ? strerrorname_np(errno)
               : w == (ssize_t)strlen(n) ? "all"
                                         : "part");
        if (fd >= 0)
            close(fd);
        show_comm("comm by write");
    }
}

#include "procfs-tasks.h"

static void op_open(void)
{
    int i = (int)rnd(NFILE);
    struct ofile *f = &ofile[i];
    static const int acc[] = { O_RDONLY, O_WRONLY, O_RDWR };
    int fl = acc[rnd(3)];
    char path[512];

    if (f->fd > 0)
        close(f->fd);
    if (rnd(3) == 0)
        fl |= O_APPEND;
    if (rnd(3) == 0)
        fl |= O_NONBLOCK;
    f->cloexec = (int)rnd(2);
    if (f->cloexec)
        fl |= O_CLOEXEC;
    snprintf(f->name, sizeof f->name, "f%u", rnd(3));
    snprintf(path, sizeof path, "%s/%s", dir, f->name);
    f->fd = open(path, fl | O_CREAT, 0644);
    if (f->fd < 0) {
        printf("open %d %s: %s\n", i, f->name, strerrorname_np(errno));
        f->fd = 0;
        return;
    }
    if (ftruncate(f->fd, 65536) && errno != EINVAL && errno != EBADF)
        printf("ftruncate: %s\n", strerrorname_np(errno));
    lseek(f->fd, (off_t)rnd(70000), SEEK_SET);
    if (rnd(2))
        fcntl(f->fd, F_SETFL, fcntl(f->fd, F_GETFL) ^ O_NONBLOCK);
    printf("open %d %s flags=%o\n", i, f->name, fl);
}

static void op_fdinfo(void)
{
    int i = (int)rnd(NFILE);
    struct ofile *f = &ofile[i];
    char path[128], buf[1024], v[64], link[512];
    struct stat st, ls, fs;
    long r;
    int fl;

    if (!f->fd) {
        printf("fdinfo %d: none\n", i);
        return;
    }
    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", f->fd);
    r = readf(path, buf, sizeof buf);
    printf("fdinfo %d: %s", i, ename(r));
    fstat(f->fd, &fs);
    if (r > 0) {
        status_get(buf, "pos", v, sizeof v);
        printf(" pos=%s", atol(v) == lseek(f->fd, 0, SEEK_CUR) ? "ok" : v);
        status_get(buf, "flags", v, sizeof v);
        fl = fcntl(f->fd, F_GETFL) |
             (fcntl(f->fd, F_GETFD) & FD_CLOEXEC ? O_CLOEXEC : 0);
        printf(" flags=%s(%s)", strtol(v, NULL, 8) == fl ? "ok" : "bad", v);
        status_get(buf, "ino", v, sizeof v);
        printf(" ino=%s", strtoull(v, NULL, 10) == fs.st_ino ? "ok" : "bad");
        printf(" mnt_id=%s",
               status_get(buf, "mnt_id", v, sizeof v) ? "none" : "ok");
    }
    snprintf(path, sizeof path, "/proc/self/fd/%d", f->fd);
    r = readlink(path, link, sizeof link - 1);
    if (r >= 0)
        link[r] = '\0';
    printf(" link=%s", r < 0 ? strerrorname_np(errno) : norm_path(link));
    r = stat(path, &st) ? -errno : 0;
    printf(" stat=%s", r < 0 ? ename(r)
                       : st.st_ino == fs.st_ino && st.st_dev == fs.st_dev
                           ? "ok"
                           : "bad");
    r = lstat(path, &ls) ? -errno : 0;
    printf(" lmode=%s", r < 0 ? ename(r) : "");
    if (!r)
        printf("%o", ls.st_mode);
    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", f->fd);
    r = stat(path, &st) ? -errno : 0;
    printf(" infomode=%s", r < 0 ? ename(r) : "");
    if (!r)
        printf("%o", st.st_mode);
    printf("\n");
}

/* /proc/self/fd lists exactly the open fds */
static void op_fd_list(void)
{
    long have[256];
    int n = list_nums("/proc/self/fd", have, 256), bad = 0, open_ = 0;

    /* opendir's own fd is listed too: it is the one not open now */
    for (int fd = 0; fd < 256; fd++)
        if (fcntl(fd, F_GETFD) >= 0)
            open_++;
    for (int i = 0; i < n; i++)
        if (fcntl((int)have[i], F_GETFD) < 0)
            bad++;
    printf("fd list: n=%s extra=%d\n", n == open_ + 1 ? "ok" : "bad", bad);
}

static void op_map(void)
{
    int i = (int)rnd(NMAP);
    struct omap *m = &omap[i];
    char path[512];
    int fd;

    if (m->addr) {
        munmap(m->addr, m->len);
        m->addr = NULL;
        printf("unmap %d\n", i);
        return;
    }
    snprintf(m->name, sizeof m->name, "m%u", rnd(2));
    snprintf(path, sizeof path, "%s/%s", dir, m->name);
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0 || ftruncate(fd, 8 * 4096)) {
        printf("map %d: %s\n", i, strerrorname_np(errno));
        if (fd >= 0)
            close(fd);
        return;
    }
    m->off = (off_t)rnd(4) * 4096;
    m->len = (1 + rnd(3)) * 4096;
    m->shared = (int)rnd(2);
    m->addr = mmap(NULL, m->len, PROT_READ | (rnd(2) ? PROT_WRITE : 0),
                   m->shared ? MAP_SHARED : MAP_PRIVATE, fd, m->off);
    close(fd);
    if (m->addr == MAP_FAILED) {
        printf("map %d: %s\n", i, strerrorname_np(errno));
        m->addr = NULL;
        return;
    }
    printf("map %d %s off=%ld len=%zu %s\n", i, m->name, (long)m->off, m->len,
           m->shared ? "shared" : "private");
}

static void op_maps(void)
{
    static char buf[1 << 17];
    int smaps = (int)rnd(2);
    long r =
        readf(smaps ? "/proc/self/smaps" : "/proc/self/maps", buf, sizeof buf);

    printf("%s: %s\n", smaps ? "smaps" : "maps", ename(r));
    for (int i = 0; i < NMAP; i++) {
        struct omap *m = &omap[i];
        char want[32], *line, perms[8], dev[16], name[512], rpath[512];
        unsigned long lo, hi, off, ino;
        struct stat st;

        if (!m->addr)
            continue;
        snprintf(want, sizeof want, "%lx-", (unsigned long)m->addr);
        line = strstr(buf, want);
        if (!line || (line != buf && line[-1] != '\n')) {
            printf("  map %d: missing\n", i);
            continue;
        }
        name[0] = '\0';
        sscanf(line, "%lx-%lx %7s %lx %15s %lu %511[^\n]", &lo, &hi, perms,
               &off, dev, &ino, name);
        {
            char *n = name;

            while (*n == ' ')
                n++;
            memmove(name, n, strlen(n) + 1);
        }
        snprintf(rpath, sizeof rpath, "%s/%s", dir, m->name);
        stat(rpath, &st);
        {
            char real[512], wdev[16];

            if (!realpath(rpath, real))
                real[0] = '\0';
            snprintf(wdev, sizeof wdev, "%02x:%02x", major(st.st_dev),
                     minor(st.st_dev));
            printf("  map %d: len=%s perms=%s off=%s dev=%s ino=%s name=%s", i,
                   hi - lo == m->len ? "ok" : "bad", perms,
                   off == (unsigned long)m->off ? "ok" : "bad",
                   strcmp(dev, wdev) ? "bad" : "ok",
                   ino == st.st_ino ? "ok" : "bad",
                   strcmp(name, real) ? norm_path(name) : "ok");
        }
        if (smaps) {
            char *next = strchr(line, '\n'), v[64];

            status_get(next ? next + 1 : line, "Size", v, sizeof v);
            printf(" size=%s", atol(v) * 1024 == (long)m->len ? "ok" : v);
        }
        printf("\n");
    }
}

static void op_limits(void)
{
    /* the rows in resource order (RLIMIT_CPU 0 ... RLIMIT_RTTIME 15) */
    static const char *const lim[] = {
        "Max cpu time",         "Max file size",      "Max data size",
        "Max stack size",       "Max core file size", "Max resident set",
        "Max processes",        "Max open files",     "Max locked memory",
        "Max address space",    "Max file locks",     "Max pending signals",
        "Max msgqueue size",    "Max nice priority",  "Max realtime priority",
        "Max realtime timeout",
    };
    static char buf[8192];
    struct rlimit rl;
    int which = (int)rnd(4), rows = 0, bad = 0;
    long r;

    /* lower a soft limit first */
    if (which == 0) {
        getrlimit(RLIMIT_NOFILE, &rl);
        rl.rlim_cur = 200 + rnd(800);
        setrlimit(RLIMIT_NOFILE, &rl);
    } else if (which == 1) {
        getrlimit(RLIMIT_CORE, &rl);
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 4096
                          ? 4096 * rnd(3)
                          : 0;
        setrlimit(RLIMIT_CORE, &rl);
    } else if (which == 2) {
        getrlimit(RLIMIT_FSIZE, &rl);
        rl.rlim_cur = rnd(2) ? RLIM_INFINITY : (1 << 30);
        if (rl.rlim_cur > rl.rlim_max)
            rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_FSIZE, &rl);
    }
    r = readf("/proc/self/limits", buf, sizeof buf);
    printf("limits: %s", ename(r));
    if (r < 0) {
        printf("\n");
        return;
    }
    printf(" head=%s",
           !strncmp(buf,
                    "Limit                     Soft Limit           "
                    "Hard Limit           Units",
                    55)
               ? "ok"
               : "bad");
    for (size_t i = 0; i < sizeof lim / sizeof lim[0]; i++) {
        char *line = strstr(buf, lim[i]), soft[32], hard[32];
        char ws[32], wh[32];

        if (!line) {
            printf(" no[%s]", lim[i]);
            continue;
        }
        rows++;
        sscanf(line + 26, "%31s %31s", soft, hard);
        getrlimit((int)i, &rl);
        if (rl.rlim_cur == RLIM_INFINITY)
            strcpy(ws, "unlimited");
        else
            snprintf(ws, sizeof ws, "%llu", (unsigned long long)rl.rlim_cur);
        if (rl.rlim_max == RLIM_INFINITY)
            strcpy(wh, "unlimited");
        else
            snprintf(wh, sizeof wh, "%llu", (unsigned long long)rl.rlim_max);
        if (strcmp(soft, ws) || strcmp(hard, wh)) {
            bad++;
            printf(" diff[%s %s/%s want %s/%s]", lim[i], soft, hard, ws, wh);
        }
    }
    printf(" rows=%d bad=%d\n", rows, bad);
}

static void op_oom(void)
{
    char buf[64], adj[64];
    int v = (int)rnd(1001);
    int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    ssize_t w = -1;
    long r;

    if (fd >= 0) {
        int l = snprintf(buf, sizeof buf, "%d\n", v);

        w = write(fd, buf, (size_t)l);
        if (w < 0)
            snprintf(adj, sizeof adj, "%s", strerrorname_np(errno));
        close(fd);
    }
    r = readf("/proc/self/oom_score_adj", buf, sizeof buf);
    printf("oom_score_adj %d: open=%s write=%s read=%s", v,
           fd < 0 ? strerrorname_np(errno) : "ok", w < 0 ? adj : "ok",
           r < 0            ? ename(r)
           : atoi(buf) == v ? "same"
                            : buf);
    r = readf("/proc/self/oom_adj", adj, sizeof adj);
    /* oom_adj is the same value scaled by 17/1000 */
    adj[strcspn(adj, "\n")] = '\0';
    printf(" oom_adj=%s", r < 0                        ? ename(r)
                          : atoi(adj) == v * 17 / 1000 ? "ok"
                                                       : adj);
    r = readf("/proc/self/oom_score", buf, sizeof buf);
    printf(" oom_score=%s\n", r < 0                    ? ename(r)
                              : atoi(buf) >= v * 2 / 3 ? "ok"
                                                       : "low");
}

static void op_umask(void)
{
    /* the owner keeps rw: root and a user then open the same files */
    mode_t m = (mode_t)rnd(0777) & 0177;

    umask(m);
    printf("umask %03o\n", m);
}

/* Entries lx's /proc has not (no CONFIG_AUDIT, USER_NS, SECURITY,
 * PROC_PAGE_MONITOR, KSM), and sysctls it has not (FILE_LOCKING's
 * lease-break-time, AIO): known gaps. */
static int lx_lacks(const char *e)
{
    static const char *const gone[] = {
        "loginuid",   "sessionid",  "uid_map", "gid_map",
        "projid_map", "setgroups",  "attr",    "arch_status",
        "ksm_stat",   "clear_refs", "pagemap", "lease-break-time",
        "aio-max-nr", NULL,
    };

    for (int i = 0; gone[i]; i++)
        if (!strcmp(e, gone[i]))
            return 1;
    return 0;
}

/* Entries of /proc/self: present, type, mode, owner. */
static void op_entries(void)
{
    static const char *const ents[] = {
        "auxv",        "cgroup",
        "clear_refs",  "cmdline",
        "comm",        "coredump_filter",
        "cwd",         "environ",
        "exe",         "fd",
        "fdinfo",      "gid_map",
        "io",          "limits",
        "loginuid",    "map_files",
        "maps",        "mem",
        "mountinfo",   "mounts",
        "mountstats",  "net",
        "ns",          "oom_adj",
        "oom_score",   "oom_score_adj",
        "pagemap",     "personality",
        "projid_map",  "root",
        "sched",       "schedstat",
        "sessionid",   "setgroups",
        "smaps",       "smaps_rollup",
        "stack",       "stat",
        "statm",       "status",
        "syscall",     "task",
        "timers",      "timerslack_ns",
        "uid_map",     "wchan",
        "attr",        "patch_state",
        "arch_status", "ksm_stat",
    };
    int k = (int)rnd(sizeof ents / sizeof ents[0]);
    char path[128];
    struct stat st;

    for (int n = 0; n < 6;
         n++, k = (k + 1) % (int)(sizeof ents / sizeof ents[0])) {
        const char *e = ents[k];

        if (known && lx_lacks(e))
            continue;
        snprintf(path, sizeof path, "/proc/self/%s", e);
        if (lstat(path, &st)) {
            printf("entry %s: %s\n", e, strerrorname_np(errno));
            continue;
        }
        printf("entry %s: mode=%o owner=%s", e, st.st_mode, owner(&st));
        if (S_ISREG(st.st_mode)) {
            char buf[256];
            long r = readf(path, buf, sizeof buf);

            /* a kernel stack is root's (CAP_SYS_ADMIN) to read */
            if (!strcmp(e, "stack"))
                printf(" read=%s",
                       (r > 0) == (geteuid() == 0) ? "as-euid" : ename(r));
            else
                printf(" read=%s", r < 0    ? ename(r)
                                   : r == 0 ? "empty"
                                            : "data");
        }
        printf("\n");
    }
}

/* io, cgroup, wchan, timerslack_ns, coredump_filter, children */
static void op_misc(void)
{
    char buf[4096], path[128];
    long r;

    switch (rnd(5)) {
    case 0: {
        static const char *const keys[] = { "rchar",
                                            "wchar",
                                            "syscr",
                                            "syscw",
                                            "read_bytes",
                                            "write_bytes",
                                            "cancelled_write_bytes" };
        char v[64];

        r = readf("/proc/self/io", buf, sizeof buf);
        printf("io: %s", ename(r));
        for (int i = 0; i < 7; i++)
            printf(" %s=%s", keys[i],
                   status_get(buf, keys[i], v, sizeof v) ? "none" : "ok");
        printf("\n");
        break;
    }
    case 1:
        r = readf("/proc/self/cgroup", buf, sizeof buf);
        printf("cgroup: %s v2=%s lines=%d\n", ename(r),
               !strncmp(buf, "0::/", 4) ? "ok" : "bad",
               (int)(r > 0 ? (long)(strchr(buf, '\n') ? 1 : 0) : 0));
        r = readf("/proc/self/wchan", buf, sizeof buf);
        printf("wchan self: %s [%s]\n", ename(r), buf);
        break;
    case 2: {
        unsigned v = 1000 + rnd(100000);
        int fd = open("/proc/self/timerslack_ns", O_WRONLY | O_CLOEXEC);
        ssize_t w = -1;

        if (fd >= 0) {
            int l = snprintf(buf, sizeof buf, "%u", v);

            w = write(fd, buf, (size_t)l);
            close(fd);
        }
        r = readf("/proc/self/timerslack_ns", buf, sizeof buf);
        printf("timerslack_ns: write=%s read=%s\n",
               w < 0 ? strerrorname_np(errno) : "ok",
               r < 0                      ? ename(r)
               : (unsigned)atol(buf) == v ? "same"
                                          : buf);
        break;
    }
    case 3: {
        unsigned v = rnd(0x80);
        int fd = open("/proc/self/coredump_filter", O_WRONLY | O_CLOEXEC);
        ssize_t w = -1;

        if (fd >= 0) {
            int l = snprintf(buf, sizeof buf, "0x%x", v);

            w = write(fd, buf, (size_t)l);
            close(fd);
        }
        r = readf("/proc/self/coredump_filter", buf, sizeof buf);
        printf("coredump_filter: write=%s read=%s\n",
               w < 0 ? strerrorname_np(errno) : "ok",
               r < 0                         ? ename(r)
               : strtoul(buf, NULL, 16) == v ? "same"
                                             : buf);
        break;
    }
    case 4: {
        int want = 0, n = 0;
        char *p, *e;

        for (int i = 0; i < NKID; i++)
            want += kid[i].pid != 0;
        snprintf(path, sizeof path, "/proc/self/task/%d/children", getpid());
        r = readf(path, buf, sizeof buf);
        for (p = buf; r > 0 && *p; p = e) {
            long c = strtol(p, &e, 10);
            int mine = 0;

            if (e == p)
                break;
            for (int i = 0; i < NKID; i++)
                mine |= kid[i].pid == c;
            n += mine;
        }
        printf("children: %s n=%s\n", ename(r), n == want ? "ok" : "bad");
        break;
    }
    }
}

static void op_links(void)
{
    char buf[512], cwd[512];
    ssize_t r;

    r = readlink("/proc/self/cwd", buf, sizeof buf - 1);
    buf[r > 0 ? r : 0] = '\0';
    if (!getcwd(cwd, sizeof cwd))
        cwd[0] = '\0';
    printf("links: cwd=%s", r < 0              ? strerrorname_np(errno)
                            : strcmp(buf, cwd) ? norm_path(buf)
                                               : "ok");
    r = readlink("/proc/self/root", buf, sizeof buf - 1);
    buf[r > 0 ? r : 0] = '\0';
    printf(" root=%s", r < 0 ? strerrorname_np(errno) : buf);
    r = readlink("/proc/self/exe", buf, sizeof buf - 1);
    buf[r > 0 ? r : 0] = '\0';
    printf(" exe=%s", r < 0                   ? strerrorname_np(errno)
                      : strcmp(buf, exe_real) ? buf
                                              : "ok");
    r = readlink("/proc/self", buf, sizeof buf - 1);
    buf[r > 0 ? r : 0] = '\0';
    printf(" self=%s", r < 0                   ? strerrorname_np(errno)
                       : atol(buf) == getpid() ? "ok"
                                               : buf);
    r = readlink("/proc/thread-self", buf, sizeof buf - 1);
    buf[r > 0 ? r : 0] = '\0';
    snprintf(cwd, sizeof cwd, "%d/task/%d", getpid(), gettid_());
    printf(" thread-self=%s", r < 0              ? strerrorname_np(errno)
                              : strcmp(buf, cwd) ? buf
                                                 : "ok");
    {
        static const char *const ns[] = { "mnt", "pid",  "net",    "uts",
                                          "ipc", "user", "cgroup", "time" };
        for (int i = 0; i < 8; i++) {
            char p[64], want[16];

            if (known && strcmp(ns[i], "mnt"))
                continue;
            snprintf(p, sizeof p, "/proc/self/ns/%s", ns[i]);
            r = readlink(p, buf, sizeof buf - 1);
            buf[r > 0 ? r : 0] = '\0';
            snprintf(want, sizeof want, "%s:[", ns[i]);
            printf(" %s=%s", ns[i],
                   r < 0                              ? strerrorname_np(errno)
                   : strncmp(buf, want, strlen(want)) ? buf
                                                      : "ok");
        }
    }
    printf("\n");
}

static void op_machine(void)
{
    char buf[1 << 16], *p;
    long r;
    long nproc = sysconf(_SC_NPROCESSORS_ONLN);

    switch (rnd(5)) {
    case 0: {
        double a, b, c;
        int run, tot, last, n;

        r = readf("/proc/loadavg", buf, sizeof buf);
        n = sscanf(buf, "%lf %lf %lf %d/%d %d", &a, &b, &c, &run, &tot, &last);
        printf("loadavg: %s n=%d run>=1=%d tot>=%d=%d\n", ename(r), n, run >= 1,
               nthreads(), tot >= nthreads());
        break;
    }
    case 1: {
        double u1, i1, u2, i2;
        struct timespec bt;
        struct pstat s;
        int n;

        r = readf("/proc/uptime", buf, sizeof buf);
        n = sscanf(buf, "%lf %lf", &u1, &i1);
        clock_gettime(CLOCK_BOOTTIME, &bt);
        usleep(20000);
        readf("/proc/uptime", buf, sizeof buf);
        sscanf(buf, "%lf %lf", &u2, &i2);
        read_stat("/proc/self/stat", &s);
        printf("uptime: %s n=%d boottime=%s monotone=%s started=%s\n", ename(r),
               n, u1 - bt.tv_sec < 1.5 && bt.tv_sec - u1 < 1.5 ? "ok" : "bad",
               u2 >= u1 ? "ok" : "bad",
               fld(&s, 22) / sysconf(_SC_CLK_TCK) <= (long)u2 + 1 ? "ok"
                                                                  : "bad");
        break;
    }
    case 2: {
        struct sysinfo si;
        char v[64];
        const char *keys[] = { "MemTotal", "MemFree",     "MemAvailable",
                               "Buffers",  "Cached",      "SwapTotal",
                               "Shmem",    "Committed_AS" };

        r = readf("/proc/meminfo", buf, sizeof buf);
        sysinfo(&si);
        printf("meminfo: %s", ename(r));
        for (int i = 0; i < 8; i++)
            printf(" %s=%s", keys[i],
                   status_get(buf, keys[i], v, sizeof v) ? "none" : "ok");
        status_get(buf, "MemTotal", v, sizeof v);
        printf(" total=%s",
               (unsigned long long)atol(v) * 1024 ==
                       (unsigned long long)si.totalram * si.mem_unit
                   ? "ok"
                   : "bad");
        printf(" first=%s\n", strncmp(buf, "MemTotal:", 9) ? "bad" : "ok");
        break;
    }
    case 3: {
        int cpus = 0;
        long btime = 0;

        r = readf("/proc/stat", buf, sizeof buf);
        for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
            if (!strncmp(p, "cpu", 3) && p[3] >= '0' && p[3] <= '9')
                cpus++;
            if (!strncmp(p, "btime ", 6))
                btime = atol(p + 6);
        }
        printf("stat: %s cpu=%s cpus=%s btime=%s procs=%s ctxt=%s\n", ename(r),
               strncmp(buf, "cpu ", 4) ? "bad" : "ok",
               cpus >= nproc ? "ok" : "bad",
               btime > 1000000000 && btime < time(NULL) ? "ok" : "bad",
               strstr(buf, "\nprocs_running ") ? "ok" : "none",
               strstr(buf, "\nctxt ") ? "ok" : "none");
        break;
    }
    default: {
        int n = 0;

        r = readf("/proc/cpuinfo", buf, sizeof buf);
        for (p = buf; (p = strstr(p, "processor\t:")); p++)
            n++;
        printf("cpuinfo: %s processors=%s\n", ename(r),
               n == nproc ? "ok" : "bad");
    }
    }
}

static void op_sysctl(void)
{
    struct utsname u;
    char buf[256], dn[256];
    long r;
    struct rlimit rl;

    uname(&u);
    switch (rnd(4)) {
    case 0:
        r = readf("/proc/sys/kernel/pid_max", buf, sizeof buf);
        printf("pid_max: %s >=pid=%d\n", ename(r), atol(buf) > getpid());
        break;
    case 1:
        r = readf("/proc/sys/kernel/ostype", buf, sizeof buf);
        buf[strcspn(buf, "\n")] = '\0';
        printf("ostype: %s [%s]", ename(r), buf);
        r = readf("/proc/sys/kernel/osrelease", buf, sizeof buf);
        buf[strcspn(buf, "\n")] = '\0';
        printf(" osrelease=%s", r < 0                    ? ename(r)
                                : strcmp(buf, u.release) ? "bad"
                                                         : "ok");
        r = readf("/proc/sys/kernel/hostname", buf, sizeof buf);
        buf[strcspn(buf, "\n")] = '\0';
        printf(" hostname=%s", r < 0                     ? ename(r)
                               : strcmp(buf, u.nodename) ? "bad"
                                                         : "ok");
        r = readf("/proc/sys/kernel/domainname", buf, sizeof buf);
        buf[strcspn(buf, "\n")] = '\0';
        if (getdomainname(dn, sizeof dn))
            dn[0] = '\0';
        printf(" domainname=%s\n", r < 0             ? ename(r)
                                   : strcmp(buf, dn) ? "bad"
                                                     : "ok");
        break;
    case 2: {
        long a, b, c;
        int n;

        r = readf("/proc/sys/fs/file-nr", buf, sizeof buf);
        n = sscanf(buf, "%ld %ld %ld", &a, &b, &c);
        printf("file-nr: %s n=%d", ename(r), n);
        r = readf("/proc/sys/fs/file-max", buf, sizeof buf);
        printf(" file-max=%s", r < 0 ? ename(r) : atol(buf) > 0 ? "ok" : "bad");
        r = readf("/proc/sys/fs/nr_open", buf, sizeof buf);
        getrlimit(RLIMIT_NOFILE, &rl);
        printf(" nr_open=%s", r < 0                              ? ename(r)
                              : (rlim_t)atol(buf) >= rl.rlim_max ? "ok"
                                                                 : "bad");
        r = readf("/proc/sys/fs/pipe-max-size", buf, sizeof buf);
        printf(" pipe-max-size=%s\n", r < 0 ? ename(r) : buf[0] ? "ok" : "bad");
        break;
    }
    default: {
        static const char *const fsf[] = { "inode-nr",
                                           "inode-state",
                                           "dentry-state",
                                           "protected_symlinks",
                                           "protected_hardlinks",
                                           "overflowuid",
                                           "lease-break-time",
                                           "aio-max-nr",
                                           "mqueue",
                                           "inotify" };
        struct stat st;

        for (int i = 0; i < 10; i++) {
            if (known && lx_lacks(fsf[i]))
                continue;
            snprintf(buf, sizeof buf, "/proc/sys/fs/%s", fsf[i]);
            if (stat(buf, &st))
                printf(" %s=%s", fsf[i], strerrorname_np(errno));
            else
                printf(" %s=%o", fsf[i], st.st_mode);
        }
        printf("\n");
    }
    }
}

int main(int argc, char **argv, char **envp)
{
    int nops, i;

    if (argc < 4) {
        fprintf(stderr, "usage: procfs-fuzz DIR SEED NOPS [-k]\n");
        return 2;
    }
    dir = argv[1];
    rng = strtoull(argv[2], NULL, 0) * 2654435761ULL + 1;
    nops = atoi(argv[3]);
    for (i = 4; i < argc; i++)
        if (!strcmp(argv[i], "-k"))
            known = 1;
    g_argv = argv;
    if (!realpath(argv[0], exe_real))
        exe_real[0] = '\0';
    argv_lo = argv[0];
    argv_hi = argv[argc - 1] + strlen(argv[argc - 1]) + 1;
    if (envp[0]) {
        for (i = 0; envp[i]; i++)
            ;
        env_lo = envp[0];
        env_hi = envp[i - 1] + strlen(envp[i - 1]) + 1;
    } else {
        env_lo = env_hi = argv_hi;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (chdir(dir)) {
        perror("chdir");
        return 1;
    }
    printf("procfs-fuzz: seed %s\n", argv[2]);
    for (i = 0; i < nops; i++) {
        switch (rnd(23)) {
        case 0:
            op_stat_self();
            break;
        case 1:
            op_statm();
            break;
        case 2:
            op_status_self();
            break;
        case 3:
            op_signals();
            break;
        case 4:
            op_cmdline();
            break;
        case 5:
            op_argv_rewrite();
            break;
        case 6:
            op_comm();
            break;
        case 7:
            rnd(2) ? thread_new() : thread_end();
            break;
        case 8:
            op_task();
            break;
        case 9:
            rnd(3) ? kid_new() : kid_end();
            break;
        case 10:
        case 19:
            kid_look();
            break;
        case 11:
            op_open();
            break;
        case 12:
            op_fdinfo();
            break;
        case 13:
            op_fd_list();
            break;
        case 14:
            rnd(2) ? op_map() : op_maps();
            break;
        case 15:
            op_limits();
            break;
        case 16:
            rnd(3) ? op_oom() : op_umask();
            break;
        case 17:
            op_entries();
            break;
        case 18:
            op_links();
            break;
        case 20:
            op_machine();
            break;
        case 21:
            op_misc();
            break;
        default:
            op_sysctl();
            break;
        }
    }
    for (i = 0; i < NKID; i++)
        if (kid[i].pid) {
            kill(kid[i].pid, SIGKILL);
            waitpid(kid[i].pid, NULL, 0);
        }
    for (i = 0; i < NTHR; i++)
        if (thr[i].live) {
            if (write(thr[i].pipe[1], "x", 1) != 1)
                break;
            pthread_join(thr[i].t, NULL);
        }
    printf("procfs-fuzz: done\n");
    return 0;
}
