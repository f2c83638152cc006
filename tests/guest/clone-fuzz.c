/* SPDX-License-Identifier: MIT */
/*
 * clone-fuzz: a seeded, deterministic differential fuzzer for the task
 * state that clone shares or copies: cwd, root, umask (CLONE_FS), the fd
 * table (CLONE_FILES), signal handlers (CLONE_SIGHAND,
 * CLONE_CLEAR_SIGHAND) and per-thread credentials. Each scenario runs in
 * a fresh process, which clones a second task with random flags (clone or
 * clone3; CLONE_VM, CLONE_SIGHAND, CLONE_THREAD, CLONE_VFORK,
 * CLONE_PARENT, CLONE_SETTLS, CLONE_CHILD_SETTID, CLONE_CHILD_CLEARTID)
 * and then has one task or the other chdir/fchdir, umask, open, close,
 * dup2, unshare(CLONE_FS / CLONE_FILES), close_range(UNSHARE), change a
 * handler, chroot and change its ids by raw syscalls (as root); after
 * each step both tasks print what they see: cwd, umask (/proc/thread-self
 * /status), which files their fds 3..9 hold, access() of a file, the
 * owner and mode of a file they create, their Uid/Gid lines and the
 * SIGUSR1 handler. Other scenarios exit the thread-group leader while a
 * thread works on, and exec from a thread (de_thread), printing what the
 * new program inherits. The two tasks alternate through pipes, so the
 * trace is the same from run to run on Linux; paths are printed relative
 * to DIR.
 *
 * Usage: clone-fuzz DIR SEED NOPS   (DIR: an empty, writable directory)
 * CLONE_FUZZ_NOCLONE3=1 uses clone only (kbox had no clone3 until the
 * twenty-seventh session); CLONE_FUZZ_NOTHREADFILES=1 keeps
 * threads' fd tables shared (no unshare(CLONE_FILES) or close_range
 * UNSHARE in a thread, no thread without CLONE_FILES); CLONE_FUZZ_BIND=1
 * keeps the cwd of a bind per process (no CLONE_FS between processes,
 * none missing between threads, no unshare(CLONE_FS) in a thread) and
 * has no chroot (EACCES into a bind): known kbox gaps. CLONE_FUZZ_NOIDS=1
 * leaves out the id changes, for a native reference run as root of a user
 * namespace (unshare -r: one id mapped).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz-util.h"

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif
#ifndef ARCH_GET_FS
#define ARCH_GET_FS 0x1003
#endif

/* The command and result pipes live up here, away from the fds the
 * operations touch (3..9). */
#define FD_CMD_P 100 /* parent -> child commands (read end in child) */
#define FD_CMD_C 101
#define FD_RES_P 102 /* child -> parent results */
#define FD_RES_C 103
#define STACK    (256 * 1024)

static char dir[256];
static size_t dlen;
static bool is_root, noclone3, nothreadfiles, noids, bindmode;

static const char *ename(int e)
{
    const char *s = strerrorname_np(e);
    return s ? s : "E?";
}

/* A path with DIR shown as D. */
static void canon(const char *p, char *out, size_t n)
{
    if (strncmp(p, dir, dlen - 2) == 0 && p[dlen - 2] == 0)
        snprintf(out, n, "D/..");
    else if (strncmp(p, dir, dlen) == 0 && (p[dlen] == 0 || p[dlen] == '/'))
        snprintf(out, n, "D%s", p + dlen);
    else if (strncmp(p, dir, dlen - 2) == 0 && p[dlen - 2] == '/')
        snprintf(out, n, "D/../%s", p + dlen - 1);
    else
        snprintf(out, n, "out"); /* DIR's parents differ from run to run */
}

static void h1(int s)
{
    (void)s;
}

static void h2(int s)
{
    (void)s;
}

static const char *hname(void)
{
    struct sigaction sa;

    if (sigaction(SIGUSR1, NULL, &sa))
        return "?";
    if (sa.sa_handler == SIG_DFL)
        return "dfl";
    if (sa.sa_handler == SIG_IGN)
        return "ign";
    if (sa.sa_handler == h1)
        return "h1";
    if (sa.sa_handler == h2)
        return "h2";
    return "other";
}

/* The root at the start. */
static struct stat root0;

/*
 * In a chroot under DIR, where there is no /proc natively; kbox's /proc
 * stays reachable in a chroot (a known gap), so the trace leaves /proc
 * out there.
 */
static bool chrooted(void)
{
    struct stat st;

    return stat("/", &st) == 0 &&
           (st.st_dev != root0.st_dev || st.st_ino != root0.st_ino);
}

/*
 * The values of @nkeys keys of /proc/thread-self/status into out[i] (n
 * bytes each), tabs as spaces; "-" for a key not found. One read.
 */
static void status_lines(const char *const *keys, char (*out)[64], int nkeys)
{
    char buf[4096];
    int fd = chrooted() ? -1 : open("/proc/thread-self/status", O_RDONLY);
    ssize_t len = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

    if (fd >= 0)
        close(fd);
    for (int i = 0; i < nkeys; i++)
        snprintf(out[i], 64, "-");
    if (len <= 0)
        return;
    buf[len] = 0;
    for (char *l = buf; l && *l;) {
        char *e = strchr(l, '\n');
        if (e)
            *e = 0;
        for (int i = 0; i < nkeys; i++) {
            size_t kl = strlen(keys[i]);
            if (strncmp(l, keys[i], kl) == 0 && l[kl] == ':') {
                char *v = l + kl + 1;
                while (*v == '\t' || *v == ' ')
                    v++;
                snprintf(out[i], 64, "%s", v);
                for (char *c = out[i]; *c; c++)
                    if (*c == '\t')
                        *c = ' ';
            }
        }
        l = e ? e + 1 : NULL;
    }
}

static void status_line(const char *key, char *out, size_t n)
{
    char v[1][64];

    status_lines(&key, v, 1);
    snprintf(out, n, "%s", v[0]);
}

/* What task @who sees, as one line into @out. */
static void probe(char who, char *out, size_t n)
{
    static const char *const keys[] = { "Umask", "Uid", "Gid" };
    char cwd[256], cc[256], st3[3][64], fds[128];
    long rc = syscall(SYS_getcwd, cwd, sizeof(cwd));
    size_t k = 0;
    int f, e;
    struct stat st;

    if (rc < 0)
        snprintf(cc, sizeof(cc), "%s", ename(errno));
    else
        canon(cwd, cc, sizeof(cc));
    status_lines(keys, st3, 3);
    fds[0] = 0;
    for (int fd = 3; fd < 10; fd++) {
        char b[8] = "";
        int fl = fcntl(fd, F_GETFD);
        if (fl < 0)
            continue;
        if (pread(fd, b, 2, 0) < 0)
            snprintf(b, sizeof(b), "%s", errno == EISDIR ? "dir" : "?");
        b[2] = 0;
        k += (size_t)snprintf(fds + k, sizeof(fds) - k, " %d%s%s", fd, b,
                              fl & FD_CLOEXEC ? "x" : "");
    }
    errno = 0;
    rc = access("f0", R_OK | W_OK);
    e = errno;
    f = open("new", O_CREAT | O_EXCL | O_WRONLY, 0777);
    if (f >= 0) {
        fstat(f, &st);
        close(f);
        unlink("new");
        snprintf(cwd, sizeof(cwd), "%u:%u/%03o", (unsigned)st.st_uid,
                 (unsigned)st.st_gid, (unsigned)(st.st_mode & 0777));
    } else {
        snprintf(cwd, sizeof(cwd), "%s", ename(errno));
    }
    snprintf(out, n,
             "%c: cwd=%s um=%s fds=[%s] acc=%s new=%s uid=%s gid=%s sig=%s\n",
             who, cc, st3[0], fds, rc == 0 ? "ok" : ename(e), cwd, st3[1],
             st3[2], hname());
}

/* An operation: done by either task. */
struct op {
    int kind, a, b;
};

enum {
    O_CHDIR,
    O_FCHDIR,
    O_UMASK,
    O_OPEN,
    O_CLOSE,
    O_DUP2,
    O_UNSHARE_FS,
    O_UNSHARE_FILES,
    O_CLOSE_RANGE,
    O_SIG,
    O_CHROOT,
    O_SETRESUID,
    O_SETRESGID,
    O_SETGROUPS,
    O_NKIND
};

static const char *const cdirs[] = { ".", "d0", "d1", "..", "d0/e" };

static void op_text(const struct op *o, char *out, size_t n)
{
    switch (o->kind) {
    case O_CHDIR:
        snprintf(out, n, "chdir %s", o->a < 0 ? "D" : cdirs[o->a]);
        break;
    case O_FCHDIR:
        snprintf(out, n, "fchdir %d", o->a);
        break;
    case O_UMASK:
        snprintf(out, n, "umask %03o", o->a);
        break;
    case O_OPEN:
        snprintf(out, n, "open f%d%s", o->a, o->b ? " cloexec" : "");
        break;
    case O_CLOSE:
        snprintf(out, n, "close %d", o->a);
        break;
    case O_DUP2:
        snprintf(out, n, "dup2 %d %d", o->a, o->b);
        break;
    case O_UNSHARE_FS:
        snprintf(out, n, "unshare fs");
        break;
    case O_UNSHARE_FILES:
        snprintf(out, n, "unshare files");
        break;
    case O_CLOSE_RANGE:
        snprintf(out, n, "close_range %d %d unshare", o->a, o->b);
        break;
    case O_SIG:
        snprintf(out, n, "sigusr1 %s",
                 (const char *[]){ "dfl", "ign", "h1", "h2" }[o->a]);
        break;
    case O_CHROOT:
        snprintf(out, n, "chroot %s", o->a ? "d1" : ".");
        break;
    case O_SETRESUID:
        snprintf(out, n, "setresuid %d %d", o->a, o->b);
        break;
    case O_SETRESGID:
        snprintf(out, n, "setresgid %d %d", o->a, o->b);
        break;
    case O_SETGROUPS:
        snprintf(out, n, "setgroups %d", o->a);
        break;
    }
}

/* Do @o; the result as a word. */
static const char *op_do(const struct op *o)
{
    long rc = 0;

    errno = 0;
    switch (o->kind) {
    case O_CHDIR:
        rc = o->a < 0 ? chdir(dir) : chdir(cdirs[o->a]);
        break;
    case O_FCHDIR:
        rc = fchdir(o->a);
        break;
    case O_UMASK:
        umask((mode_t)o->a);
        break;
    case O_OPEN: {
        char name[8];
        snprintf(name, sizeof(name), "%sf%d", "", o->a);
        /* relative to DIR whatever the cwd: opened by full path */
        char p[300];
        snprintf(p, sizeof(p), "%s/%s", dir, name);
        rc = open(p, O_RDWR | (o->b ? O_CLOEXEC : 0));
        if (rc >= 10) {
            close((int)rc); /* keep to 3..9 */
            return "full";
        }
        if (rc >= 0)
            return "ok";
        break;
    }
    case O_CLOSE:
        rc = close(o->a);
        break;
    case O_DUP2:
        rc = dup2(o->a, o->b);
        if (rc >= 0)
            rc = 0;
        break;
    case O_UNSHARE_FS:
        rc = unshare(CLONE_FS);
        break;
    case O_UNSHARE_FILES:
        rc = unshare(CLONE_FILES);
        break;
    case O_CLOSE_RANGE:
        rc = syscall(SYS_close_range, o->a, o->b, CLOSE_RANGE_UNSHARE);
        break;
    case O_SIG: {
        struct sigaction sa = { 0 };
        sa.sa_handler = (void (*)(int))(
            (void *[]){ SIG_DFL, SIG_IGN, (void *)h1, (void *)h2 }[o->a]);
        rc = sigaction(SIGUSR1, &sa, NULL);
        break;
    }
    case O_CHROOT:
        rc = chroot(o->a ? "d1" : ".");
        break;
    case O_SETRESUID:
        rc = syscall(SYS_setresuid, o->a, o->b, -1);
        break;
    case O_SETRESGID:
        rc = syscall(SYS_setresgid, o->a, o->b, -1);
        break;
    case O_SETGROUPS: {
        gid_t g[2] = { 1000, 1001 };
        rc = syscall(SYS_setgroups, o->a, g);
        break;
    }
    }
    return rc < 0 ? ename(errno) : "ok";
}

static void random_op(struct op *o, bool thread)
{
    static const int ums[] = { 022, 077, 002, 0, 027 };

    for (;;) {
        o->kind = (int)rnd_low(O_NKIND);
        o->a = o->b = 0;
        switch (o->kind) {
        case O_CHDIR:
            o->a = (int)rnd_low(6) - 1;
            return;
        case O_FCHDIR:
            o->a = 3 + (int)rnd_low(7);
            return;
        case O_UMASK:
            o->a = ums[rnd_low(5)];
            return;
        case O_OPEN:
            o->a = (int)rnd_low(3);
            o->b = (int)rnd_low(2);
            return;
        case O_CLOSE:
            o->a = 3 + (int)rnd_low(7);
            return;
        case O_DUP2:
            o->a = 3 + (int)rnd_low(7);
            o->b = 3 + (int)rnd_low(7);
            return;
        case O_UNSHARE_FS:
            if (thread && bindmode)
                continue;
            return;
        case O_UNSHARE_FILES:
        case O_CLOSE_RANGE:
            if (thread && nothreadfiles)
                continue;
            if (o->kind == O_CLOSE_RANGE) {
                o->a = 3 + (int)rnd_low(7);
                o->b = o->a + (int)rnd_low(4);
            }
            return;
        case O_SIG:
            o->a = (int)rnd_low(4);
            return;
        case O_CHROOT:
            if (!is_root || rnd_low(3) || bindmode)
                continue;
            o->a = (int)rnd_low(2);
            return;
        case O_SETRESUID:
        case O_SETRESGID:
            if (!is_root || noids)
                continue;
            o->a = (int[]){ -1, 0, 1000, 1001 }[rnd_low(4)];
            o->b = (int[]){ -1, 0, 1000, 1001 }[rnd_low(4)];
            return;
        case O_SETGROUPS:
            if (!is_root || noids)
                continue;
            o->a = (int)rnd_low(3);
            return;
        }
    }
}

/* The scenario's script: who does which step. */
#define NSTEP 8
static struct op steps[NSTEP];
static char whos[NSTEP];
static int nsteps;
static unsigned long cflags;
static pid_t ctid_word, ptid_word;
static unsigned long tls_given;

static void wr(int fd, const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

static int rd_byte(int fd)
{
    char c;
    return read(fd, &c, 1) == 1 ? c : -1;
}

/*
 * The child task: for each command byte, 's' + index does a step, 'p'
 * probes, 'q' exits; each answer ends with a line ".". A vfork child
 * runs its steps at once (its parent is stopped until it exits).
 */
static int child_main(void *arg)
{
    char line[1024];
    bool vfork = (cflags & CLONE_VFORK) != 0;
    (void)arg;

    if (cflags & CLONE_SETTLS) {
        unsigned long fs = 0;
        syscall(SYS_arch_prctl, ARCH_GET_FS, &fs);
        snprintf(line, sizeof(line), "C: tls %s\n",
                 fs == tls_given ? "as given" : "other");
        wr(FD_RES_C, line);
    }
    if (cflags & CLONE_CHILD_SETTID) {
        snprintf(line, sizeof(line), "C: settid %s\n",
                 ctid_word == (pid_t)syscall(SYS_gettid) ? "mine" : "other");
        wr(FD_RES_C, line);
    }
    if (vfork) {
        for (int i = 0; i < nsteps; i++) {
            if (whos[i] != 'C')
                continue;
            snprintf(line, sizeof(line), "C: step %d: %s\n", i,
                     op_do(&steps[i]));
            wr(FD_RES_C, line);
            probe('C', line, sizeof(line));
            wr(FD_RES_C, line);
        }
        wr(FD_RES_C, ".\n");
        return 0;
    }
    wr(FD_RES_C, ".\n");
    for (;;) {
        int c = rd_byte(FD_CMD_C);
        if (c < 0 || c == 'q')
            break;
        if (c == 'p') {
            probe('C', line, sizeof(line));
        } else {
            int i = c - 's';
            snprintf(line, sizeof(line), "C: step %d: %s\n", i,
                     op_do(&steps[i]));
        }
        wr(FD_RES_C, line);
        wr(FD_RES_C, ".\n");
    }
    return 0;
}

/* Print the child's answer up to its "." line. */
static bool relay(void)
{
    char line[1024];
    size_t n = 0;

    for (;;) {
        int c = rd_byte(FD_RES_P);
        if (c < 0) {
            printf("C: gone\n");
            return false;
        }
        if (n < sizeof(line) - 1)
            line[n++] = (char)c;
        if (c != '\n')
            continue;
        line[n] = 0;
        n = 0;
        if (strcmp(line, ".\n") == 0)
            return true;
        fputs(line, stdout);
    }
}

static bool ask(char c)
{
    if (write(FD_CMD_P, &c, 1) != 1) {
        printf("C: gone\n");
        return false;
    }
    return relay();
}

static void pprobe(void)
{
    char line[1024];

    probe('P', line, sizeof(line));
    fputs(line, stdout);
}

struct clone_args_v2 {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack,
        stack_size, tls, set_tid, set_tid_size, cgroup;
};

/* clone3 running @fn on its own stack in the child. */
static long clone3_run(struct clone_args_v2 *ca, int (*fn)(void *))
{
    long ret;
    register long r12 __asm__("r12") = (long)fn;

    __asm__ volatile("syscall\n\t"
                     "test %%rax,%%rax\n\t"
                     "jnz 1f\n\t"
                     "xor %%ebp,%%ebp\n\t"
                     "xor %%edi,%%edi\n\t"
                     "call *%%r12\n\t"
                     "mov %%eax,%%edi\n\t"
                     "mov $60,%%eax\n\t"
                     "syscall\n\t"
                     "hlt\n"
                     "1:"
                     : "=a"(ret)
                     : "a"((long)SYS_clone3), "D"(ca), "S"(sizeof(*ca)),
                       "r"(r12)
                     : "rcx", "r11", "rdx", "memory");
    return ret;
}

static char *stack_mem;

static const struct {
    unsigned long bit;
    const char *name;
} fnames[] = {
    { CLONE_VM, "vm" },
    { CLONE_FS, "fs" },
    { CLONE_FILES, "files" },
    { CLONE_SIGHAND, "sighand" },
    { CLONE_THREAD, "thread" },
    { CLONE_VFORK, "vfork" },
    { CLONE_PARENT, "parent" },
    { CLONE_SETTLS, "settls" },
    { CLONE_CHILD_SETTID, "child_settid" },
    { CLONE_CHILD_CLEARTID, "child_cleartid" },
    { CLONE_PARENT_SETTID, "parent_settid" },
    { CLONE_CLEAR_SIGHAND, "clear_sighand" },
};

static void pair_scenario(void)
{
    bool use3 = !noclone3 && rnd_low(3) == 0;
    unsigned long f = 0;
    int pc[2], pr[2];
    long pid;
    char desc[512];
    size_t k;

    if (rnd_low(2)) {
        f |= CLONE_VM;
        if (rnd_low(2)) {
            f |= CLONE_SIGHAND;
            if (rnd_low(2))
                f |= CLONE_THREAD;
        }
    }
    if (rnd_low(2))
        f |= CLONE_FS;
    if (bindmode) /* cwd in a bind: shared by threads, else copied */
        f = (f & ~CLONE_FS) | ((f & CLONE_THREAD) ? CLONE_FS : 0);
    if (rnd_low(2) || ((f & CLONE_THREAD) && nothreadfiles))
        f |= CLONE_FILES;
    if (!(f & CLONE_THREAD) && rnd_low(5) == 0)
        f |= CLONE_VFORK;
    if (rnd_low(6) == 0)
        f |= CLONE_PARENT;
    if ((f & CLONE_VM) && rnd_low(3) == 0)
        f |= CLONE_SETTLS;
    if ((f & CLONE_VM) && rnd_low(3) == 0)
        f |= CLONE_CHILD_SETTID;
    if ((f & CLONE_VM) && rnd_low(3) == 0)
        f |= CLONE_CHILD_CLEARTID;
    if (rnd_low(4) == 0)
        f |= CLONE_PARENT_SETTID;
    if (use3 && !(f & CLONE_SIGHAND) && rnd_low(2))
        f |= CLONE_CLEAR_SIGHAND;
    cflags = f;
    k = (size_t)snprintf(desc, sizeof(desc), "%s", use3 ? "clone3" : "clone");
    for (size_t i = 0; i < sizeof(fnames) / sizeof(fnames[0]); i++)
        if (f & fnames[i].bit)
            k += (size_t)snprintf(desc + k, sizeof(desc) - k, " %s",
                                  fnames[i].name);
    printf("%s\n", desc);
    nsteps = 1 + (int)rnd_low(NSTEP);
    for (int i = 0; i < nsteps; i++) {
        whos[i] = rnd_low(2) ? 'P' : 'C';
        random_op(&steps[i], (f & CLONE_THREAD) != 0);
        op_text(&steps[i], desc, sizeof(desc));
        printf("  %d %c %s\n", i, whos[i], desc);
    }
    /* some state to share or not */
    {
        struct op o = { O_OPEN, 0, 0 };
        op_do(&o);
        o.a = 1;
        o.b = 1;
        op_do(&o);
        struct sigaction sa = { 0 };
        sa.sa_handler = rnd_low(2) ? h1 : SIG_IGN;
        sigaction(SIGUSR1, &sa, NULL);
        if (rnd_low(2) && chdir("d0") == 0)
            printf("  (in d0)\n");
    }
    if (pipe(pc) || pipe(pr) || dup2(pc[1], FD_CMD_P) < 0 ||
        dup2(pc[0], FD_CMD_C) < 0 || dup2(pr[0], FD_RES_P) < 0 ||
        dup2(pr[1], FD_RES_C) < 0)
        exit(2);
    close(pc[0]);
    close(pc[1]);
    close(pr[0]);
    close(pr[1]);
    pprobe();
    fflush(stdout);
    ctid_word = ptid_word = 0;
    {
        unsigned long fs = 0;
        syscall(SYS_arch_prctl, ARCH_GET_FS, &fs);
        tls_given = fs; /* the same: the child runs libc code */
    }
    if (use3) {
        struct clone_args_v2 ca = { 0 };
        ca.flags = f;
        ca.child_tid = (uintptr_t)&ctid_word;
        ca.parent_tid = (uintptr_t)&ptid_word;
        ca.exit_signal = (f & CLONE_THREAD) ? 0 : SIGCHLD;
        if (f & CLONE_VM) {
            ca.stack = (uintptr_t)stack_mem;
            ca.stack_size = STACK;
        }
        ca.tls = tls_given;
        pid = clone3_run(&ca, child_main);
        if (pid < 0) {
            errno = (int)-pid;
            pid = -1;
        }
    } else {
        pid = clone(child_main, stack_mem + STACK,
                    (int)f | ((f & CLONE_THREAD) ? 0 : SIGCHLD), NULL,
                    &ptid_word, (void *)tls_given, &ctid_word);
    }
    if (pid < 0) {
        printf("clone: %s\n", ename(errno));
        return;
    }
    if (f & CLONE_PARENT_SETTID)
        printf("P: ptid %s\n", ptid_word == pid ? "child" : "other");
    if (f & CLONE_VFORK) {
        /* the child has run all its steps and gone */
        relay();
        for (int i = 0; i < nsteps; i++) {
            if (whos[i] == 'P')
                printf("P: step %d: %s\n", i, op_do(&steps[i]));
            pprobe();
        }
    } else {
        relay();
        for (int i = 0; i < nsteps; i++) {
            if (whos[i] == 'P')
                printf("P: step %d: %s\n", i, op_do(&steps[i]));
            else if (!ask((char)('s' + i)))
                break;
            pprobe();
            fflush(stdout);
            if (!ask('p'))
                break;
        }
        if (write(FD_CMD_P, "q", 1) != 1)
            printf("C: gone\n");
    }
    if (f & CLONE_CHILD_CLEARTID) {
        for (int t = 0; t < 2000; t++) {
            pid_t v = __atomic_load_n(&ctid_word, __ATOMIC_ACQUIRE);
            if (v == 0)
                break;
            syscall(SYS_futex, &ctid_word, FUTEX_WAIT, v, NULL, NULL, 0);
        }
        printf("P: cleartid %s\n", ctid_word == 0 ? "cleared" : "set");
    }
    if (!(f & (CLONE_THREAD | CLONE_PARENT))) {
        int st;
        pid_t w = waitpid((pid_t)pid, &st, __WALL);
        printf("P: wait %s\n", w == pid ? "ok" : ename(errno));
    } else if (f & CLONE_THREAD) {
        /* its exit clears nothing we can wait on unless CLEARTID: poll */
        char p[64];
        snprintf(p, sizeof(p), "/proc/self/task/%ld", pid);
        for (int t = 0; t < 2000 && access(p, F_OK) == 0; t++)
            usleep(1000);
    }
}

/* The leader exits; a thread goes on and reports, then exits the group. */
static void *leader_gone_thread(void *arg)
{
    char line[1024], st[64];
    pid_t leader = (pid_t)(intptr_t)arg;
    struct op o;

    for (int t = 0; t < 3000; t++) {
        char p[64], b[256];
        snprintf(p, sizeof(p), "/proc/%d/task/%d/stat", leader, leader);
        int fd = open(p, O_RDONLY);
        ssize_t n = fd >= 0 ? read(fd, b, sizeof(b) - 1) : -1;
        if (fd >= 0)
            close(fd);
        if (n <= 0)
            break;
        b[n] = 0;
        char *r = strrchr(b, ')');
        if (r && (r[2] == 'Z' || r[2] == 'X'))
            break;
        usleep(1000);
    }
    wr(1, "T: leader gone\n");
    for (int i = 0; i < 4; i++) {
        char d[128];
        random_op(&o, true);
        op_text(&o, d, sizeof(d));
        snprintf(line, sizeof(line), "T: %s: %s\n", d, op_do(&o));
        wr(1, line);
        probe('T', line, sizeof(line));
        wr(1, line);
    }
    status_line("Threads", st, sizeof(st));
    snprintf(line, sizeof(line), "T: threads %s\n", st);
    wr(1, line);
    syscall(SYS_exit_group, 0);
    return NULL;
}

static void leader_scenario(void)
{
    pthread_t th;

    printf("leader-exit\n");
    fflush(stdout);
    if (pthread_create(&th, NULL, leader_gone_thread,
                       (void *)(intptr_t)getpid()))
        exit(3);
    syscall(SYS_exit, 0); /* this thread only */
}

/* Exec from a thread: what the new program finds. */
static struct op exec_ops[3];
static int nexec_ops;

static void *exec_thread(void *arg)
{
    char *const argv[] = { "clone-fuzz", "--after", (char *)arg, NULL };
    char line[256], d[128];

    /* this thread's own state goes with it into the new program */
    for (int i = 0; i < nexec_ops; i++) {
        op_text(&exec_ops[i], d, sizeof(d));
        snprintf(line, sizeof(line), "  T %s: %s\n", d, op_do(&exec_ops[i]));
        wr(1, line);
    }
    if (chrooted())
        errno = ENOENT; /* no /proc/self/exe natively (see chrooted) */
    else
        execv("/proc/self/exe", argv);
    snprintf(line, sizeof(line), "T: exec %s\n", ename(errno));
    wr(1, line);
    syscall(SYS_exit_group, 1);
    return NULL;
}

static void *idle_thread(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

static void exec_scenario(void)
{
    pthread_t th;
    static char pidarg[32];
    struct op o;
    int nidle = (int)rnd_low(3);

    printf("exec-from-thread idle=%d\n", nidle);
    for (int i = 0; i < 3; i++) {
        char d[128];
        random_op(&o, false);
        if (o.kind == O_UNSHARE_FILES || o.kind == O_CLOSE_RANGE)
            continue;
        op_text(&o, d, sizeof(d));
        printf("  %s: %s\n", d, op_do(&o));
    }
    nexec_ops = 0;
    for (int i = 0; i < 3; i++) {
        random_op(&o, true);
        if (o.kind == O_UNSHARE_FILES || o.kind == O_CLOSE_RANGE)
            continue;
        exec_ops[nexec_ops++] = o;
    }
    snprintf(pidarg, sizeof(pidarg), "%d", (int)getpid());
    fflush(stdout);
    for (int i = 0; i < nidle; i++)
        if (pthread_create(&th, NULL, idle_thread, NULL))
            exit(3);
    if (pthread_create(&th, NULL, exec_thread, pidarg))
        exit(3);
    for (;;)
        pause();
}

/* The program an exec from a thread started. */
static int after_exec(const char *oldpid)
{
    char line[1024], st[64];

    snprintf(dir, sizeof(dir), "%s", getenv("CLONE_FUZZ_DIR"));
    if (getenv("CLONE_FUZZ_ROOT"))
        sscanf(getenv("CLONE_FUZZ_ROOT"), "%lu %lu", &root0.st_dev,
               &root0.st_ino);
    dlen = strlen(dir);
    status_line("Threads", st, sizeof(st));
    printf("E: pid %s tid %s threads %s\n",
           atoi(oldpid) == getpid() ? "kept" : "new",
           syscall(SYS_gettid) == getpid() ? "=pid" : "other", st);
    probe('E', line, sizeof(line));
    fputs(line, stdout);
    return 0;
}

static void put(const char *name, const char *data, mode_t mode)
{
    int fd = open(name, O_CREAT | O_TRUNC | O_WRONLY, mode);
    if (fd < 0 || write(fd, data, strlen(data)) < 0) {
        perror(name);
        exit(2);
    }
    fchmod(fd, mode);
    close(fd);
}

static void scenario(int i)
{
    pid_t pid;
    int st;
    uint64_t seed;

    printf("== %d: ", i);
    fflush(stdout);
    seed = rng;
    rnd_low(1);
    pid = fork();
    if (pid == 0) {
        rng = seed ^ 0x9e3779b97f4a7c15ull;
        umask(022);
        switch (rnd_low(8)) {
        case 0:
            leader_scenario();
            break;
        case 1:
            exec_scenario();
            break;
        default:
            pair_scenario();
            break;
        }
        fflush(stdout);
        _exit(0);
    }
    /* the scenario and a CLONE_PARENT child of it */
    for (;;) {
        pid_t w = waitpid(-1, &st, __WALL);
        if (w < 0)
            break;
        if (w != pid)
            continue;
        if (WIFEXITED(st))
            printf("exit %d\n", WEXITSTATUS(st));
        else
            printf("signal %d\n", WTERMSIG(st));
    }
    fflush(stdout);
}

int main(int argc, char **argv)
{
    int nops;

    if (argc == 3 && strcmp(argv[1], "--after") == 0)
        return after_exec(argv[2]);
    if (argc != 4) {
        fprintf(stderr, "usage: clone-fuzz DIR SEED NOPS\n");
        return 2;
    }
    if (chdir(argv[1]) || !getcwd(dir, sizeof(dir))) {
        perror(argv[1]);
        return 2;
    }
    strcat(dir, "/w");
    dlen = strlen(dir);
    if (mkdir("w", 0755) || chdir("w")) {
        perror("w");
        return 2;
    }
    setenv("CLONE_FUZZ_DIR", dir, 1);
    is_root = geteuid() == 0;
    noclone3 = getenv("CLONE_FUZZ_NOCLONE3") != NULL;
    nothreadfiles = getenv("CLONE_FUZZ_NOTHREADFILES") != NULL;
    noids = getenv("CLONE_FUZZ_NOIDS") != NULL;
    bindmode = getenv("CLONE_FUZZ_BIND") != NULL;
    stack_mem = aligned_alloc(64, STACK);
    if (!stack_mem)
        return 2;
    syscall(SYS_close_range, 3, ~0u, 0);
    umask(022);
    if (mkdir("d0", 0755) || mkdir("d1", 0711) || mkdir("d0/e", 0700)) {
        perror("mkdir");
        return 2;
    }
    if (stat("/", &root0)) {
        perror("stat");
        return 2;
    }
    {
        char r[64];
        snprintf(r, sizeof(r), "%lu %lu", (unsigned long)root0.st_dev,
                 (unsigned long)root0.st_ino);
        setenv("CLONE_FUZZ_ROOT", r, 1);
    }
    put("f0", "f0", 0644);
    put("f1", "f1", 0600);
    put("f2", "f2", 0444);
    put("d0/f0", "g0", 0666);
    put("d1/f0", "h0", 0400);
    put("d0/e/f0", "i0", 0600);
    rng = strtoull(argv[2], NULL, 10) * 0x2545f4914f6cdd1dull + 1;
    nops = atoi(argv[3]);
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    for (int i = 0; i < nops; i++)
        scenario(i);
    printf("done\n");
    return 0;
}
