/* SPDX-License-Identifier: MIT */
/*
 * lock-fuzz: a seeded sequence of file-lock operations by a parent (P0)
 * and two forked children (C1, C2) on files f0 f1 f2 of DIR, printing a
 * canonical trace so that a run under kbox can be diffed against a native
 * run of the same seed.
 *
 * The parent draws every operation and hands it to one process at a time
 * over a pipe; that process does it, writes its result line into shared
 * memory and acks, and only the parent prints: the order is fixed and no
 * two processes ever race. Operations: open/close/dup of per-process fd
 * slots (O_RDONLY, O_WRONLY, O_RDWR), lseek, write, ftruncate, fcntl
 * F_SETLK/F_SETLKW/F_OFD_SETLK/F_OFD_SETLKW and F_GETLK/F_OFD_GETLK with
 * random type, whence, start (negative too) and length (0 and negative),
 * flock, a child's exit and a new fork inheriting P0's fds, a POSIX wait
 * with deadlock detection (EDEADLK) and /proc/locks. F_SETLKW is issued
 * only when a GETLK shows nothing in the way, except in the wait scenario,
 * which is bounded by alarm(). Pids print as P0/C1/C2 ("pid?" otherwise,
 * -1 as is).
 *
 * Usage: lock-fuzz DIR SEED NOPS   (LOCK_FUZZ_NOPROC=1: no /proc/locks)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz-util.h"

#define NPROC  3
#define NSLOT  6
#define NFILE  3
#define OUTMAX 4096

enum {
    OP_OPEN,
    OP_CLOSE,
    OP_DUP,
    OP_SEEK,
    OP_WRITE,
    OP_READ,
    OP_TRUNC,
    OP_SETLK,
    OP_GETLK,
    OP_FLOCK,
    OP_WAIT,    /* F_SETLKW that may block; acks when done */
    OP_RELEASE, /* unlock POSIX and OFD locks on a file via every slot */
    OP_FDINFO,
    OP_EXIT,
};

struct cmd {
    int op, slot, slot2, file, mode, cmd, type, whence, pid;
    long start, len, arg;
};

struct shared {
    pid_t pid[NPROC];
    int file[NPROC]; /* of the slot last used */
    char out[NPROC][OUTMAX];
};

static struct shared *sh;
static char dir[4096];
static int slots[NSLOT] = { -1, -1, -1, -1, -1, -1 };
static int slotfile[NSLOT];
static int me;
static int cmdp[NPROC][2], ackp[NPROC][2];
static pid_t kids[NPROC];
static ino_t inos[NFILE];

static long rr(long n)
{
    return (long)(rnd64() % (uint64_t)n);
}

static const char *pname(long pid)
{
    static char b[4][16];
    static int k;
    char *s = b[k++ & 3];

    if (pid == 0 || pid == -1) {
        snprintf(s, 16, "%ld", pid);
        return s;
    }
    for (int i = 0; i < NPROC; i++)
        if (sh->pid[i] == pid) {
            snprintf(s, 16, "%c%d", i ? 'C' : 'P', i);
            return s;
        }
    return "pid?";
}

static const char *ename(int e)
{
    const char *n = strerrorname_np(e);

    return n ? n : "E?";
}

static void out(const char *fmt, ...)
{
    size_t l = strlen(sh->out[me]);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(sh->out[me] + l, OUTMAX - l, fmt, ap);
    va_end(ap);
}

static void res(long rc)
{
    if (rc < 0)
        out(" = %s", ename(errno));
    else
        out(" = %ld", rc);
}

static const char *cmdname(int c)
{
    switch (c) {
    case F_SETLK:
        return "SETLK";
    case F_SETLKW:
        return "SETLKW";
    case F_GETLK:
        return "GETLK";
    case F_OFD_SETLK:
        return "OFD_SETLK";
    case F_OFD_SETLKW:
        return "OFD_SETLKW";
    case F_OFD_GETLK:
        return "OFD_GETLK";
    }
    return "?";
}

static const char *tname(int t)
{
    return t == F_RDLCK   ? "RD"
           : t == F_WRLCK ? "WR"
           : t == F_UNLCK ? "UN"
                          : "T?";
}

static void fill(struct flock *fl, const struct cmd *c)
{
    memset(fl, 0, sizeof(*fl));
    fl->l_type = (short)c->type;
    fl->l_whence = (short)c->whence;
    fl->l_start = c->start;
    fl->l_len = c->len;
    fl->l_pid = c->pid;
}

static void show_fl(const struct flock *fl)
{
    out(" -> %s w%d %ld %ld %s", tname(fl->l_type), fl->l_whence,
        (long)fl->l_start, (long)fl->l_len, pname(fl->l_pid));
}

/* The GETLK form of a SETLK command. */
static int getcmd(int c)
{
    return (c == F_SETLK || c == F_SETLKW) ? F_GETLK : F_OFD_GETLK;
}

/* Mostly an open slot: the @n-th of those open (a closed one at times, for
 * EBADF). */
static int pick(int n)
{
    int open = 0;

    if (n >= 200) { /* one on the file another process used */
        for (int s = 0; s < NSLOT; s++)
            if (slots[s] >= 0 && slotfile[s] == n - 200)
                return s;
        return 0;
    }
    if (n < 0 || n >= 100)
        return n % NSLOT;
    for (int s = 0; s < NSLOT; s++)
        open += slots[s] >= 0;
    if (!open)
        return n % NSLOT;
    n %= open;
    for (int s = 0; s < NSLOT; s++)
        if (slots[s] >= 0 && n-- == 0)
            return s;
    return 0;
}

static int lock_lines(const char *path, char **v, int max);

static void do_cmd(const struct cmd *in)
{
    struct cmd cc = *in, *c = &cc;
    int fd;
    struct flock fl;
    long rc;

    if (c->op != OP_OPEN && c->slot >= 0)
        c->slot = pick(c->slot);
    fd = c->slot >= 0 ? slots[c->slot] : -1;
    if (fd >= 0)
        sh->file[me] = slotfile[c->slot];
    sh->out[me][0] = 0;
    out("%s ", pname(getpid()));
    switch (c->op) {
    case OP_OPEN: {
        static const int modes[] = { O_RDONLY, O_WRONLY, O_RDWR };
        static const char *mn[] = { "ro", "wo", "rw" };
        char p[4200];

        snprintf(p, sizeof(p), "%s/f%d", dir, c->file);
        out("open s%d f%d %s", c->slot, c->file, mn[c->mode]);
        if (fd >= 0) {
            out(" (closing old)");
            close(fd);
        }
        rc = slots[c->slot] = open(p, modes[c->mode] | O_CLOEXEC);
        slotfile[c->slot] = c->file;
        out("%s", rc < 0 ? " = " : " = ok");
        if (rc < 0)
            out("%s", ename(errno));
        break;
    }
    case OP_CLOSE:
        out("close s%d", c->slot);
        rc = close(fd);
        slots[c->slot] = -1;
        res(rc);
        break;
    case OP_DUP:
        if (slots[c->slot2] >= 0 && c->slot2 != c->slot) {
            /* dup3 over an open fd closes its file first */
            out("dup3 s%d -> s%d", c->slot, c->slot2);
            rc = dup3(fd, slots[c->slot2], O_CLOEXEC);
        } else {
            out("dup s%d -> s%d", c->slot, c->slot2);
            rc = slots[c->slot2] = fcntl(fd, F_DUPFD_CLOEXEC, 10);
        }
        if (rc >= 0)
            slotfile[c->slot2] = slotfile[c->slot];
        out("%s", rc < 0 ? " = " : " = ok");
        if (rc < 0)
            out("%s", ename(errno));
        break;
    case OP_SEEK:
        out("lseek s%d %ld", c->slot, c->arg);
        res(lseek(fd, c->arg, SEEK_SET));
        break;
    case OP_WRITE: {
        char b[64];

        memset(b, 'x', sizeof(b));
        out("write s%d %ld", c->slot, c->arg);
        res(write(fd, b, (size_t)c->arg));
        break;
    }
    case OP_READ: {
        char b[64];

        out("read s%d %ld", c->slot, c->arg);
        rc = c->arg > 40 ? pread(fd, b, 5, 3) : read(fd, b, (size_t)c->arg);
        res(rc);
        break;
    }
    case OP_TRUNC:
        out("ftruncate s%d %ld", c->slot, c->arg);
        res(ftruncate(fd, c->arg));
        break;
    case OP_SETLK:
    case OP_WAIT:
        fill(&fl, c);
        out("%s s%d %s w%d %ld %ld pid%d", cmdname(c->cmd), c->slot,
            tname(c->type), c->whence, c->start, c->len, c->pid);
        if (c->cmd == F_SETLKW || c->cmd == F_OFD_SETLKW) {
            struct flock g = fl;

            if (c->op == OP_WAIT) {
                alarm(2);
            } else if (fcntl(fd, getcmd(c->cmd), &g) == 0 &&
                       g.l_type != F_UNLCK) {
                out(" would block");
                show_fl(&g);
                break;
            }
        }
        rc = fcntl(fd, c->cmd, &fl);
        alarm(0);
        res(rc);
        break;
    case OP_GETLK:
        fill(&fl, c);
        out("%s s%d %s w%d %ld %ld pid%d", cmdname(c->cmd), c->slot,
            tname(c->type), c->whence, c->start, c->len, c->pid);
        rc = fcntl(fd, c->cmd, &fl);
        res(rc);
        if (rc == 0)
            show_fl(&fl);
        break;
    case OP_FLOCK: {
        static const char *fn[] = { "?", "SH", "EX", "?", "?",
                                    "?", "?",  "?",  "UN" };

        out("flock s%d %s%s", c->slot, fn[c->arg & ~LOCK_NB],
            c->arg & LOCK_NB ? "|NB" : "");
        res(flock(fd, (int)c->arg));
        break;
    }
    case OP_FDINFO: {
        char p[64], *v[64];
        int n;

        snprintf(p, sizeof(p), "/proc/self/fdinfo/%d", fd);
        out("fdinfo s%d", c->slot);
        n = lock_lines(p, v, 64);
        if (n < 0)
            out(" = %s", ename(-n));
        for (int i = 0; i < n; i++) {
            out("\n  %s", v[i]);
            free(v[i]);
        }
        break;
    }
    case OP_RELEASE:
        out("release f%d", c->file);
        for (int s = 0; s < NSLOT; s++) {
            struct flock u = { .l_type = F_UNLCK, .l_whence = SEEK_SET };

            if (slots[s] < 0 || slotfile[s] != c->file)
                continue;
            out(" s%d", s);
            if (fcntl(slots[s], F_SETLK, &u))
                out(":%s", ename(errno));
            u.l_pid = 0;
            if (fcntl(slots[s], F_OFD_SETLK, &u))
                out(":ofd %s", ename(errno));
        }
        break;
    }
}

static void on_alarm(int sig)
{
    (void)sig;
}

static void child_loop(void)
{
    struct cmd c;

    for (;;) {
        if (read(cmdp[me][0], &c, sizeof(c)) != sizeof(c))
            _exit(1);
        if (c.op == OP_EXIT)
            _exit(0);
        do_cmd(&c);
        if (write(ackp[me][1], "", 1) != 1)
            _exit(1);
    }
}

static void spawn(int i)
{
    pid_t p;

    fflush(stdout);
    p = fork();
    if (p < 0) {
        perror("fork");
        exit(2);
    }
    if (p == 0) {
        me = i;
        sh->pid[i] = getpid();
        for (int j = 1; j < NPROC; j++) {
            if (j != i)
                close(cmdp[j][0]);
        }
        child_loop();
    }
    kids[i] = p;
    sh->pid[i] = p;
}

/* Runs @c in process @p (NULL: only waits for the last one); @ms: how long
 * to wait for its ack (-1: for ever). Returns 1 when acked. */
static int run_in(int p, const struct cmd *c, int ms)
{
    struct pollfd pf;
    char b;

    if (p == 0) {
        do_cmd(c);
        return 1;
    }
    if (c && write(cmdp[p][1], c, sizeof(*c)) != sizeof(*c)) {
        perror("cmd");
        exit(2);
    }
    pf.fd = ackp[p][0];
    pf.events = POLLIN;
    if (poll(&pf, 1, ms) != 1)
        return 0;
    if (read(ackp[p][0], &b, 1) != 1) {
        printf("C%d died\n", p);
        exit(2);
    }
    return 1;
}

static void show(int p)
{
    printf("%s\n", sh->out[p]);
}

static void run_show(int p, const struct cmd *c)
{
    if (!run_in(p, c, 10000)) {
        printf("C%d: no answer\n", p);
        exit(2);
    }
    show(p);
}

static int cmpstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lock lines of @path (/proc/locks, or "lock:" lines of an fdinfo)
 * on our files, pids and inodes named, sorted (the kernel's list order
 * depends on the CPU), as strdup()ed strings in @v. */
static int lock_lines(const char *path, char **v, int max)
{
    FILE *f = fopen(path, "r");
    int fdinfo = strstr(path, "fdinfo") != NULL, n = 0;
    char line[256];

    if (!f)
        return -errno;
    while (n < max && fgets(line, sizeof(line), f)) {
        char a[16], b[16], c[16], st[32], en[32], buf[160];
        char *s = line;
        unsigned long ino;
        int pid, blk = 0, k;

        if (fdinfo) {
            if (strncmp(s, "lock:", 5))
                continue;
            s += 5;
        }
        s = strchr(s, ':');
        if (!s)
            continue;
        s++;
        while (*s == ' ')
            s++;
        if (!strncmp(s, "->", 2)) {
            blk = 1;
            s += 2;
        }
        if (sscanf(s, "%15s %15s %15s %d %*x:%*x:%lu %31s %31s", a, b, c, &pid,
                   &ino, st, en) != 7)
            continue;
        for (k = 0; k < NFILE; k++)
            if (inos[k] == ino)
                break;
        if (k == NFILE)
            continue;
        snprintf(buf, sizeof(buf), "%s%s %s %s %s f%d %s %s", blk ? "-> " : "",
                 a, b, c, pname(pid), k, st, en);
        v[n++] = strdup(buf);
    }
    fclose(f);
    qsort(v, (size_t)n, sizeof(v[0]), cmpstr);
    return n;
}

/* Is process @p's POSIX wait listed in /proc/locks? */
static int waiting(int p)
{
    char *v[256], want[32];
    int n = lock_lines("/proc/locks", v, 256), found = 0;

    snprintf(want, sizeof(want), " %s f", pname(sh->pid[p]));
    for (int i = 0; i < n; i++) {
        found |= !strncmp(v[i], "-> POSIX", 8) && strstr(v[i], want);
        free(v[i]);
    }
    return found;
}

static void proc_locks(void)
{
    char *v[256];
    int n = lock_lines("/proc/locks", v, 256);

    printf("/proc/locks:");
    if (n < 0) {
        printf(" %s\n", ename(-n));
        return;
    }
    printf(" %d\n", n);
    for (int i = 0; i < n; i++) {
        printf("  %s\n", v[i]);
        free(v[i]);
    }
}

static long rstart(void)
{
    if (!rr(40))
        return rr(2) ? INT64_MAX - rr(3) : INT64_MIN + rr(3);
    switch (rr(4)) {
    case 0:
        return 0;
    case 1:
        return -rr(20);
    default:
        return rr(40);
    }
}

static long rlen(void)
{
    if (!rr(40))
        return rr(2) ? INT64_MAX - rr(3) : INT64_MIN + rr(3);
    switch (rr(4)) {
    case 0:
        return 0;
    case 1:
        return -rr(15);
    default:
        return 1 + rr(20);
    }
}

static void rand_lock(struct cmd *c, int getlk)
{
    static const int setc[] = { F_SETLK,     F_SETLK,     F_SETLKW,
                                F_OFD_SETLK, F_OFD_SETLK, F_OFD_SETLKW };
    static const int types[] = { F_RDLCK, F_WRLCK, F_UNLCK, F_RDLCK, F_WRLCK };

    c->cmd = getlk ? (rr(2) ? F_GETLK : F_OFD_GETLK) : setc[rr(6)];
    c->type = types[rr(getlk ? 2 : 5)];
    if (getlk && !rr(20))
        c->type = F_UNLCK;
    c->whence = (int)rr(3);
    c->start = rstart();
    c->len = rlen();
    c->pid = !rr(15) ? 77 : 0;
}

/* A POSIX F_SETLKW by @b that may block, the holder's EDEADLK, release. */
static void wait_scenario(void)
{
    int b = 1 + (int)rr(NPROC - 1), h = -1;
    struct cmd c = { .op = OP_GETLK, .slot = (int)rr(106) };
    struct flock fl;
    const char *o;

    struct cmd pre = { .op = OP_SETLK, .cmd = F_SETLK, .type = F_WRLCK };
    int h0 = (b + 1 + (int)rr(NPROC - 1)) % NPROC;

    c.cmd = F_GETLK;
    c.type = rr(2) ? F_WRLCK : F_RDLCK;
    c.whence = SEEK_SET;
    c.start = rr(30);
    c.len = rr(3) ? 1 + rr(20) : 0;
    printf("== wait scenario\n");
    /* someone holds a lock b will want, b holds one they may want */
    pre.slot = (int)rr(100);
    pre.start = c.start + rr(5);
    pre.len = 1 + rr(10);
    run_show(h0, &pre);
    pre.slot = (int)rr(100);
    pre.start = 40 + rr(10);
    pre.len = rr(2) ? 0 : 1 + rr(10);
    run_show(b, &pre);
    c.slot = pre.slot;
    run_show(b, &c);
    /* who is in the way (the GETLK line ends in its name) */
    o = strrchr(sh->out[b], ' ');
    for (int i = 0; o && i < NPROC; i++)
        if (!strcmp(o + 1, pname(sh->pid[i])) && strstr(sh->out[b], "= 0 -> "))
            h = i;
    if (h < 0 || h == b) {
        printf("  nothing to wait for\n");
        return;
    }
    fill(&fl, &c);
    c.op = OP_WAIT;
    c.cmd = F_SETLKW;
    if (run_in(b, &c, 150)) {
        printf("  did not block: ");
        show(b);
        return;
    }
    if (!getenv("LOCK_FUZZ_NOPROC")) {
        /* b is in the kernel's wait list before anyone looks (a busy
         * machine may take a while to get it there) */
        for (int tries = 0; !waiting(b) && tries < 200; tries++)
            usleep(20000);
        proc_locks(); /* with b's wait ("->") */
    }
    /* the holder asks for the whole file: EDEADLK if b's locks are in
     * its way */
    {
        struct cmd d = { .op = OP_GETLK, .slot = (int)rr(106) };

        d.cmd = F_GETLK;
        d.type = F_WRLCK;
        d.whence = SEEK_SET;
        run_show(h, &d);
        if (strstr(sh->out[h], pname(sh->pid[b])) &&
            strstr(sh->out[h], "= 0 -> ")) {
            d.cmd = F_SETLKW;
            d.op = OP_WAIT; /* bounded by alarm should it block */
            run_show(h, &d);
        }
    }
    for (int f = 0; f < NFILE; f++)
        for (int i = 0; i < NPROC; i++) {
            struct cmd r = { .op = OP_RELEASE, .file = f, .slot = -1 };

            if (i != b)
                run_show(i, &r);
        }
    if (!run_in(b, NULL, 5000))
        return;
    printf("  woke: ");
    show(b);
}

static void make_files(void)
{
    for (int i = 0; i < NFILE; i++) {
        char p[4200];
        struct stat st;
        int fd;

        snprintf(p, sizeof(p), "%s/f%d", dir, i);
        fd = open(p, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (fd < 0 || ftruncate(fd, 10 * (i + 1)) || fstat(fd, &st)) {
            perror(p);
            exit(2);
        }
        inos[i] = st.st_ino;
        close(fd);
    }
}

int main(int argc, char **argv)
{
    long nops;
    int noproc = getenv("LOCK_FUZZ_NOPROC") != NULL;
    struct sigaction sa = { .sa_handler = on_alarm };

    if (argc != 4) {
        fprintf(stderr, "usage: lock-fuzz DIR SEED NOPS\n");
        return 2;
    }
    snprintf(dir, sizeof(dir), "%s", argv[1]);
    rng = strtoull(argv[2], NULL, 0) * 0x9E3779B97F4A7C15ull + 1;
    nops = strtol(argv[3], NULL, 0);
    setvbuf(stdout, NULL, _IOLBF, 0);
    sigaction(SIGALRM, &sa, NULL); /* no SA_RESTART: EINTR */
    sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
              MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED) {
        perror("mmap");
        return 2;
    }
    sh->pid[0] = getpid();
    make_files();
    for (int i = 1; i < NPROC; i++)
        if (pipe2(cmdp[i], O_CLOEXEC) || pipe2(ackp[i], O_CLOEXEC)) {
            perror("pipe");
            return 2;
        }
    for (int i = 1; i < NPROC; i++)
        spawn(i);
    for (long n = 0; n < nops; n++) {
        int p = (int)rr(NPROC), k = (int)rr(100);
        struct cmd c = { .slot = (int)rr(106) };

        printf("%ld: ", n);
        if (k < 16) {
            c.op = OP_OPEN;
            c.slot = (int)rr(NSLOT);
            c.file = (int)rr(NFILE);
            c.mode = (int)rr(3);
        } else if (k < 19) {
            c.op = OP_CLOSE;
        } else if (k < 21) {
            c.op = OP_DUP;
            c.slot2 = (int)rr(NSLOT);
        } else if (k < 23) {
            c.op = OP_SEEK;
            c.arg = rr(40);
        } else if (k < 24) {
            c.op = OP_WRITE;
            c.arg = 1 + rr(20);
        } else if (k < 25) {
            c.op = OP_READ; /* SEEK_CUR then starts further on */
            c.arg = 1 + rr(45);
        } else if (k < 27) {
            c.op = OP_TRUNC;
            c.arg = rr(50);
        } else if (k < 57) {
            c.op = OP_SETLK;
            rand_lock(&c, 0);
        } else if (k < 75) {
            c.op = OP_GETLK;
            rand_lock(&c, 1);
        } else if (k < 88) {
            static const int fo[] = { LOCK_SH, LOCK_EX, LOCK_UN };

            c.op = OP_FLOCK;
            c.arg = fo[rr(3)] | LOCK_NB;
        } else if (k < 92) {
            /* a child exits (its POSIX locks go; flock/OFD locks stay
             * with open files shared elsewhere) and P0 forks a new one,
             * which shares P0's open files and none of its POSIX locks */
            int i = 1 + (int)rr(NPROC - 1);

            c.op = OP_EXIT;
            run_in(i, &c, 0);
            waitpid(kids[i], NULL, 0);
            sh->pid[i] = 0;
            printf("C%d exit, refork\n", i);
            spawn(i);
            continue;
        } else if (k < 93) {
            c.op = OP_FDINFO;
            if (noproc) {
                printf("(no fdinfo)\n");
                continue;
            }
        } else if (k < 95) {
            if (noproc) {
                printf("(no /proc/locks)\n");
                continue;
            }
            proc_locks();
            continue;
        } else {
            wait_scenario();
            continue;
        }
        run_show(p, &c);
    }
    for (int i = 1; i < NPROC; i++) {
        struct cmd c = { .op = OP_EXIT };
        int st;

        run_in(i, &c, 0);
        waitpid(kids[i], &st, 0);
    }
    printf("done\n");
    return 0;
}
