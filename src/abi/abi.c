/* SPDX-License-Identifier: MIT */
/* ABI converters: stat/statfs layouts, legacy calls, O_* flags, dirents. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "kbox/abi.h"

#if defined(__x86_64__)
/* glibc's struct stat/statfs on x86_64 are the kernel's. */
_Static_assert(sizeof(struct stat) == sizeof(struct kbox_hstat), "stat");
_Static_assert(offsetof(struct stat, st_mode) ==
                   offsetof(struct kbox_hstat, st_mode),
               "st_mode");
_Static_assert(offsetof(struct stat, st_nlink) ==
                   offsetof(struct kbox_hstat, st_nlink),
               "st_nlink");
_Static_assert(offsetof(struct stat, st_mtim) ==
                   offsetof(struct kbox_hstat, st_mtime_sec),
               "st_mtim");
_Static_assert(sizeof(struct statfs) == sizeof(struct kbox_hstatfs), "statfs");
#endif

void kbox_abi_stat_to_host(const struct kbox_gstat *g, struct kbox_hstat *h)
{
    memset(h, 0, sizeof(*h));
    h->st_dev = g->st_dev;
    h->st_ino = g->st_ino;
    h->st_nlink = g->st_nlink;
    h->st_mode = g->st_mode;
    h->st_uid = g->st_uid;
    h->st_gid = g->st_gid;
    h->st_rdev = g->st_rdev;
    h->st_size = g->st_size;
    h->st_blksize = g->st_blksize;
    h->st_blocks = g->st_blocks;
    h->st_atime_sec = (uint64_t)g->st_atime_sec;
    h->st_atime_nsec = g->st_atime_nsec;
    h->st_mtime_sec = (uint64_t)g->st_mtime_sec;
    h->st_mtime_nsec = g->st_mtime_nsec;
    h->st_ctime_sec = (uint64_t)g->st_ctime_sec;
    h->st_ctime_nsec = g->st_ctime_nsec;
}

void kbox_abi_stat_to_generic(const struct kbox_hstat *h, struct kbox_gstat *g)
{
    memset(g, 0, sizeof(*g));
    g->st_dev = h->st_dev;
    g->st_ino = h->st_ino;
    g->st_nlink = (uint32_t)h->st_nlink;
    g->st_mode = h->st_mode;
    g->st_uid = h->st_uid;
    g->st_gid = h->st_gid;
    g->st_rdev = h->st_rdev;
    g->st_size = h->st_size;
    g->st_blksize = (int32_t)h->st_blksize;
    g->st_blocks = h->st_blocks;
    g->st_atime_sec = (int64_t)h->st_atime_sec;
    g->st_atime_nsec = h->st_atime_nsec;
    g->st_mtime_sec = (int64_t)h->st_mtime_sec;
    g->st_mtime_nsec = h->st_mtime_nsec;
    g->st_ctime_sec = (int64_t)h->st_ctime_sec;
    g->st_ctime_nsec = h->st_ctime_nsec;
}

void kbox_abi_statfs_to_host(const struct kbox_gstatfs *g,
                             struct kbox_hstatfs *h)
{
    memset(h, 0, sizeof(*h));
    h->f_type = g->f_type;
    h->f_bsize = g->f_bsize;
    h->f_blocks = g->f_blocks;
    h->f_bfree = g->f_bfree;
    h->f_bavail = g->f_bavail;
    h->f_files = g->f_files;
    h->f_ffree = g->f_ffree;
    h->f_fsid[0] = g->f_fsid[0];
    h->f_fsid[1] = g->f_fsid[1];
    h->f_namelen = g->f_namelen;
    h->f_frsize = g->f_frsize;
    h->f_flags = g->f_flags;
}

#define ATFDCWD ((uint64_t)(int64_t)AT_FDCWD)

int kbox_abi_legacy_to_at(long nr, const uint64_t in[6], long *out_nr,
                          uint64_t out[6])
{
#if defined(__x86_64__)
    uint64_t o[6] = { 0 };

    switch (nr) {
    case SYS_open: /* open(path, flags, mode) */
        *out_nr = SYS_openat;
        o[0] = ATFDCWD, o[1] = in[0], o[2] = in[1], o[3] = in[2];
        break;
    case SYS_creat: /* creat(path, mode) */
        *out_nr = SYS_openat;
        o[0] = ATFDCWD, o[1] = in[0];
        o[2] = O_CREAT | O_WRONLY | O_TRUNC, o[3] = in[1];
        break;
    case SYS_stat:
        *out_nr = SYS_newfstatat;
        o[0] = ATFDCWD, o[1] = in[0], o[2] = in[1], o[3] = 0;
        break;
    case SYS_lstat:
        *out_nr = SYS_newfstatat;
        o[0] = ATFDCWD, o[1] = in[0], o[2] = in[1];
        o[3] = AT_SYMLINK_NOFOLLOW;
        break;
    case SYS_access:
        *out_nr = SYS_faccessat;
        o[0] = ATFDCWD, o[1] = in[0], o[2] = in[1];
        break;
    case SYS_mkdir:
        *out_nr = SYS_mkdirat;
        o[0] = ATFDCWD, o[1] = in[0], o[2] = in[1];
        break;
    case SYS_rmdir:
        *out_nr = SYS_unlinkat;
        o[0] = ATFDCWD, o[1] = in[0], o[2] = AT_REMOVEDIR;
        break;
    case SYS_unlink:
        *out_nr = SYS_unlinkat;
        o[0] = ATFDCWD, o[1] = in[0], o[2] = 0;
        break;
    case SYS_rename:
        *out_nr = SYS_renameat2;
        o[0] = ATFDCWD, o[1] = in[0], o[2] = ATFDCWD, o[3] = in[1];
        o[4] = 0;
        break;
    case SYS_link:
        *out_nr = SYS_linkat;
        o[0] = ATFDCWD, o[1] = in[0], o[2] = ATFDCWD, o[3] = in[1];
        o[4] = 0;
        break;
    case SYS_symlink: /* symlink(target, linkpath) */
        *out_nr = SYS_symlinkat;
        o[0] = in[0], o[1] = ATFDCWD, o[2] = in[1];
        break;
    case SYS_readlink:
        *out_nr = SYS_readlinkat;
        o[0] = ATFDCWD, o[1] = in[0], o[2] = in[1], o[3] = in[2];
        break;
    case SYS_chmod:
        *out_nr = SYS_fchmodat;
        o[0] = ATFDCWD, o[1] = in[0], o[2] = in[1];
        break;
    case SYS_chown:
        *out_nr = SYS_fchownat;
        o[0] = ATFDCWD, o[1] = in[0], o[2] = in[1], o[3] = in[2];
        o[4] = 0;
        break;
    case SYS_lchown:
        *out_nr = SYS_fchownat;
        o[0] = ATFDCWD, o[1] = in[0], o[2] = in[1], o[3] = in[2];
        o[4] = AT_SYMLINK_NOFOLLOW;
        break;
    case SYS_mknod:
        *out_nr = SYS_mknodat;
        o[0] = ATFDCWD, o[1] = in[0], o[2] = in[1], o[3] = in[2];
        break;
    case SYS_utimes: /* utimes(path, struct timeval[2]): keep as is */
        return 0;
    case SYS_dup2: /* dup2(old, new) -> dup3 with flags 0, except old==new */
        return 0;
    case SYS_pipe:
        *out_nr = SYS_pipe2;
        o[0] = in[0], o[1] = 0;
        break;
    case SYS_inotify_init:
        *out_nr = SYS_inotify_init1;
        o[0] = 0;
        break;
    case SYS_epoll_create:
        *out_nr = SYS_epoll_create1;
        o[0] = 0;
        break;
    case SYS_eventfd:
        *out_nr = SYS_eventfd2;
        o[0] = in[0], o[1] = 0;
        break;
    case SYS_getdents: /* format differs: handled by the fd family */
        return 0;
    default:
        return 0;
    }
    memcpy(out, o, sizeof(o));
    return 1;
#else
    (void)nr, (void)in, (void)out_nr, (void)out;
    return 0;
#endif
}

/*
 * asm-generic O_* values (include/uapi/asm-generic/fcntl.h) for the bits
 * aarch64 defines differently (arch/arm64/include/uapi/asm/fcntl.h).
 */
#define G_O_DIRECT      00040000
#define G_O_LARGEFILE   00100000
#define G_O_DIRECTORY   00200000
#define G_O_NOFOLLOW    00400000
#define A64_O_DIRECTORY 040000
#define A64_O_NOFOLLOW  0100000
#define A64_O_DIRECT    0200000
#define A64_O_LARGEFILE 0400000

static const struct {
    unsigned long host, gen;
} a64_map[] = {
    { A64_O_DIRECTORY, G_O_DIRECTORY },
    { A64_O_NOFOLLOW, G_O_NOFOLLOW },
    { A64_O_DIRECT, G_O_DIRECT },
    { A64_O_LARGEFILE, G_O_LARGEFILE },
};
#define A64_MASK \
    (A64_O_DIRECTORY | A64_O_NOFOLLOW | A64_O_DIRECT | A64_O_LARGEFILE)

unsigned long kbox_abi_oflags_to_generic(unsigned long f, enum kbox_arch a)
{
    unsigned long r;

    if (a != KBOX_ARCH_AARCH64)
        return f; /* x86_64 uses the asm-generic values */
    r = f & ~(unsigned long)A64_MASK;
    for (size_t i = 0; i < sizeof(a64_map) / sizeof(a64_map[0]); i++)
        if (f & a64_map[i].host)
            r |= a64_map[i].gen;
    return r;
}

unsigned long kbox_abi_oflags_to_host(unsigned long f, enum kbox_arch a)
{
    unsigned long r;

    if (a != KBOX_ARCH_AARCH64)
        return f;
    r = f & ~(unsigned long)A64_MASK; /* same bit set in the generic ABI */
    for (size_t i = 0; i < sizeof(a64_map) / sizeof(a64_map[0]); i++)
        if (f & a64_map[i].gen)
            r |= a64_map[i].host;
    return r;
}

struct dirent64_hdr {
    uint64_t d_ino;
    int64_t d_off;
    uint16_t d_reclen;
    uint8_t d_type;
    char d_name[];
};

struct dirent_legacy_hdr {
    unsigned long d_ino;
    unsigned long d_off;
    unsigned short d_reclen;
    char d_name[];
};

long kbox_abi_dirent64_to_dirent(const void *in, size_t inlen, void *out,
                                 size_t outlen, size_t *consumed)
{
    size_t ip = 0, op = 0;

    while (ip + offsetof(struct dirent64_hdr, d_name) <= inlen) {
        struct dirent64_hdr d;
        const char *name;
        size_t nlen, rec;
        struct dirent_legacy_hdr l;
        char *o;

        const size_t hdr = offsetof(struct dirent64_hdr, d_name);

        memcpy(&d, (const char *)in + ip, hdr);
        if (d.d_reclen <= hdr || ip + d.d_reclen > inlen)
            break;
        name = (const char *)in + ip + hdr;
        nlen = strnlen(name, d.d_reclen - hdr);
        /* header + name + NUL + d_type byte, 8-aligned */
        rec = (offsetof(struct dirent_legacy_hdr, d_name) + nlen + 2 + 7) &
              ~(size_t)7;
        if (op + rec > outlen)
            break;
        o = (char *)out + op;
        memset(o, 0, rec);
        l.d_ino = d.d_ino;
        l.d_off = (unsigned long)d.d_off;
        l.d_reclen = (unsigned short)rec;
        memcpy(o, &l, offsetof(struct dirent_legacy_hdr, d_name));
        memcpy(o + offsetof(struct dirent_legacy_hdr, d_name), name, nlen);
        o[rec - 1] = (char)d.d_type;
        op += rec;
        ip += d.d_reclen;
    }
    if (consumed)
        *consumed = ip;
    if (op == 0 && ip < inlen)
        return -1;
    return (long)op;
}

static const char *const status_cred_keys[] = {
    "Umask:",  "Uid:",    "Gid:",    "Groups:", "CapInh:",
    "CapPrm:", "CapEff:", "CapBnd:", "CapAmb:", "NoNewPrivs:",
};

/* The line of @text that starts with @key, or NULL; *len excludes '\n'. */
static const char *status_line(const char *text, const char *key, size_t *len)
{
    size_t kl = strlen(key);

    for (const char *l = text; l && *l;) {
        const char *nl = strchr(l, '\n');

        if (!strncmp(l, key, kl)) {
            *len = nl ? (size_t)(nl - l) : strlen(l);
            return l;
        }
        l = nl ? nl + 1 : NULL;
    }
    return NULL;
}

/* The number after @key in @text (base 16 with @hex), or 0. */
static unsigned long long status_num(const char *text, const char *key,
                                     bool hex)
{
    size_t len;
    const char *l = status_line(text, key, &len);

    return l ? strtoull(l + strlen(key), NULL, hex ? 16 : 10) : 0;
}

int kbox_abi_status_signal(const char *status)
{
    unsigned long long blk = status_num(status, "SigBlk:", true);
    unsigned long long shd = status_num(status, "ShdPnd:", true) & ~blk;
    unsigned long long chld = 1ull << (SIGCHLD - 1), tid;

    if (status_num(status, "SigPnd:", true) & ~blk)
        return 1;
    if (!shd)
        return 0;
    if (status_num(status, "Threads:", false) == 1)
        return 1;
    /*
     * kill, sigqueue, timers and SIGIO aim a process-directed signal at
     * the group leader, and the kernel flags the leader first when it does
     * not block it (complete_signal): it goes through the signal path on
     * its way out even if another thread takes the signal. SIGCHLD is aimed
     * at the thread that forked the child.
     */
    tid = status_num(status, "Pid:", false);
    if ((shd & ~chld) && tid && tid == status_num(status, "Tgid:", false))
        return 1;
    /* SIGSTOP alone: a thread that is not waiting for kbox takes it (no
     * thread can block it) and flags this one for the group stop, which
     * is looked for then (notify.c group_stopping). */
    if (shd == 1ull << (SIGSTOP - 1))
        return 0;
    return 2;
}

unsigned long kbox_abi_status_threads(const char *status)
{
    return (unsigned long)status_num(status, "Threads:", false);
}

char kbox_abi_status_state(const char *status)
{
    size_t len;
    const char *l = status_line(status, "State:", &len);

    return l && len > 7 ? l[7] : '?';
}

bool kbox_abi_others_block(const char *status, const char *other)
{
    unsigned long long shd = status_num(status, "ShdPnd:", true) &
                             ~status_num(status, "SigBlk:", true);
    char state = kbox_abi_status_state(other);

    /* An exiting thread takes no signal (wants_signal). */
    if (state == 'Z' || state == 'X' || state == '?')
        return true;
    return !(shd & ~status_num(other, "SigBlk:", true));
}

int kbox_abi_proc_text(pid_t pid, const char *name, char *buf, size_t len)
{
    char path[64];
    ssize_t n;
    int fd;

    snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    n = read(fd, buf, len - 1);
    close(fd);
    if (n < 0)
        return -1;
    buf[n] = '\0';
    return (int)n;
}

char *kbox_abi_proc_all(pid_t pid, const char *name, char *buf, size_t len)
{
    char path[64], *p = buf;
    size_t have = 0;
    int fd;

    snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    for (;;) {
        ssize_t n = read(fd, p + have, len - 1 - have);
        char *q;

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        have += (size_t)n;
        /* a seq_file fills what it is asked for: short means the end */
        if (n == 0 || have < len - 1)
            break;
        q = p == buf ? malloc(len * 2) : realloc(p, len * 2);
        if (!q)
            break;
        if (p == buf)
            memcpy(q, buf, have);
        p = q;
        len *= 2;
    }
    close(fd);
    p[have] = '\0';
    return p;
}

/* PIDFD_GET_INFO (Linux 6.13), its first version of struct pidfd_info. */
struct pidfd_info0 {
    uint64_t mask, cgroupid;
    uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
    int32_t exit_code;
};
#define PIDFD_GET_INFO0 _IOWR(0xFF, 11, struct pidfd_info0)

int kbox_abi_leader_pidfd(pid_t tid, pid_t *ppid)
{
    static int no_info;
    struct pidfd_info0 info = { .mask = 1 /* PIDFD_INFO_PID */ };
    int fd;

    if (__atomic_load_n(&no_info, __ATOMIC_RELAXED))
        return -1;
    fd = (int)syscall(SYS_pidfd_open, tid, 0); /* leaders only */
    if (fd < 0)
        return -1;
    if (ioctl(fd, PIDFD_GET_INFO0, &info) || info.tgid != (uint32_t)tid) {
        if (errno == ENOTTY || errno == EINVAL)
            __atomic_store_n(&no_info, 1, __ATOMIC_RELAXED);
        close(fd);
        return -1;
    }
    *ppid = (pid_t)info.ppid;
    return fd;
}

bool kbox_abi_read_status(pid_t pid, char *buf, size_t len)
{
    return kbox_abi_proc_text(pid, "status", buf, len) > 0;
}

unsigned long long kbox_abi_status_mask(const char *status, const char *key)
{
    return status_num(status, key, true);
}

bool kbox_abi_signal_changes_state(const char *status, int sig)
{
    unsigned long long bit;
    size_t len;
    const char *l = status_line(status, "State:", &len);
    char state = l && len > 7 ? l[7] : '?';
    bool stopped = state == 'T' || state == 't';

    if (sig <= 0 || sig > 64 || state == 'Z' || state == 'X')
        return false;
    bit = 1ull << (sig - 1);
    if (sig == SIGKILL)
        return true;
    if (sig == SIGSTOP)
        return !stopped;
    if (sig == SIGCONT)
        return stopped; /* even when caught: it continues the process */
    if ((status_num(status, "SigIgn:", true) |
         status_num(status, "SigCgt:", true) |
         status_num(status, "SigBlk:", true)) &
        bit)
        return false; /* a handler runs, or it waits, or nothing happens */
    switch (sig) {
    case SIGCHLD:
    case SIGURG:
    case SIGWINCH:
        return false; /* ignored by default */
    case SIGTSTP:
    case SIGTTIN:
    case SIGTTOU:
        return !stopped;
    default:
        return true; /* terminates */
    }
}

int kbox_abi_guest_seccomp(const char *host, long *filters)
{
    size_t len;
    long n;

    if (!status_line(host, "Seccomp_filters:", &len))
        return -1;
    n = (long)status_num(host, "Seccomp_filters:", false) - 1;
    if (n < 0)
        n = 0;
    if (filters)
        *filters = n;
    return n ? 2 /* SECCOMP_MODE_FILTER */ : 0;
}

long kbox_abi_status_merge(const char *host, const char *kern, char *out,
                           size_t outlen)
{
    size_t o = 0;
    long filters = 0;
    int mode = kbox_abi_guest_seccomp(host, &filters);
    char sc[64];

    for (const char *l = host; l && *l;) {
        const char *nl = strchr(l, '\n');
        size_t len = nl ? (size_t)(nl - l) : strlen(l);
        const char *src = l;
        size_t srclen = len;

        /* the guest's own filters: kbox's is not one of them */
        if (mode >= 0 && !strncmp(l, "Seccomp:", 8)) {
            srclen = (size_t)snprintf(sc, sizeof(sc), "Seccomp:\t%d", mode);
            src = sc;
        } else if (mode >= 0 && !strncmp(l, "Seccomp_filters:", 16)) {
            srclen = (size_t)snprintf(sc, sizeof(sc), "Seccomp_filters:\t%ld",
                                      filters);
            src = sc;
        }

        for (size_t i = 0;
             i < sizeof(status_cred_keys) / sizeof(status_cred_keys[0]); i++) {
            size_t kl = strlen(status_cred_keys[i]);
            const char *k;
            size_t klen;

            if (strncmp(l, status_cred_keys[i], kl))
                continue;
            k = status_line(kern, status_cred_keys[i], &klen);
            if (k) {
                src = k;
                srclen = klen;
            }
            break;
        }
        if (o + srclen + 2 > outlen)
            return -1;
        memcpy(out + o, src, srclen);
        o += srclen;
        if (nl)
            out[o++] = '\n';
        l = nl ? nl + 1 : NULL;
    }
    if (o + 1 > outlen)
        return -1;
    out[o] = '\0';
    return (long)o;
}

int kbox_abi_clone3_check(const struct kbox_clone_args *a, size_t size)
{
    /* uapi flag values; glibc's <sched.h> lacks the clone3-only ones */
    const uint64_t clear_sighand = 0x100000000ull, into_cgroup = 0x200000000ull;
    const uint64_t detached = 0x00400000, newtime = 0x00000080;
    const uint64_t csignal = 0xff;
    uint64_t f = a->flags;

    if (size > 4096)
        return -E2BIG;
    if (size < KBOX_CLONE_ARGS_SIZE_VER0)
        return -EINVAL;
    /* copy_clone_args_from_user */
    if (a->set_tid_size > 32 /* MAX_PID_NS_LEVEL */)
        return -EINVAL;
    if ((!a->set_tid && a->set_tid_size) || (a->set_tid && !a->set_tid_size))
        return -EINVAL;
    if ((a->exit_signal & ~csignal) || a->exit_signal > 64 /* _NSIG */)
        return -EINVAL;
    if ((f & into_cgroup) &&
        (a->cgroup > INT32_MAX || size < KBOX_CLONE_ARGS_SIZE_VER2))
        return -EINVAL;
    /* clone3_args_valid (the stack's range against user space is left to
     * the host: it depends on its address-space size) */
    if (f & ~(0xffffffffull | clear_sighand | into_cgroup))
        return -EINVAL;
    if (f & (detached | (csignal & ~newtime)))
        return -EINVAL;
    if ((f & CLONE_SIGHAND) && (f & clear_sighand))
        return -EINVAL;
    if ((f & (CLONE_THREAD | CLONE_PARENT)) && a->exit_signal)
        return -EINVAL;
    if (!a->stack != !a->stack_size)
        return -EINVAL;
    /* kernel_clone */
    if ((f & CLONE_PIDFD) && (f & CLONE_PARENT_SETTID) &&
        a->pidfd == a->parent_tid)
        return -EINVAL;
    /* copy_process, before anything is made */
    if ((f & CLONE_FS) && (f & (CLONE_NEWNS | CLONE_NEWUSER)))
        return -EINVAL;
    if ((f & CLONE_THREAD) && !(f & CLONE_SIGHAND))
        return -EINVAL;
    if ((f & CLONE_SIGHAND) && !(f & CLONE_VM))
        return -EINVAL;
    if ((f & CLONE_THREAD) && (f & (CLONE_NEWUSER | CLONE_NEWPID)))
        return -EINVAL;
    return 0;
}
