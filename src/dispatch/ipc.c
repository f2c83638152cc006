/* SPDX-License-Identifier: MIT */
/*
 * System V IPC in the guest's kernel.
 *
 * Message queues and semaphore sets live in lx: keys, ids, permissions,
 * limits, blocking, SEM_UNDO at exit and /proc/sysvipc are lx's own, in
 * the guest's identities. Their calls copy the guest's buffers in and out
 * (semid64_ds is laid out differently on x86_64 than in lx's generic ABI).
 *
 * A shared memory segment must be host memory, because only the host can
 * map it into a guest process. kbox makes a host segment (IPC_PRIVATE, so
 * it names nothing in the host's IPC namespace) and lx a segment with the
 * same key, size and mode under the host segment's id (lx_task_shm), so
 * the guest passes one id to both: shmat is checked by lx, then run by the
 * host (attach, fork, exec and exit are the host's); shmctl is lx's, with
 * the size, attach count, times and last pid taken from the host. lx's
 * segment is one byte long: lx has no MMU, so its segments are allocated
 * in full at creation, from lx's own small memory. kbox holds a
 * read-only attachment of each host segment and marks it removed at once:
 * the host destroys it when the last attachment goes, so even a killed
 * kbox leaves no segment behind. A segment the guest removes while it is
 * still attached can be attached and asked about until its last detach,
 * as on Linux; lx has forgotten it by then, so its owner and mode are
 * kept here and lx checks them (LX_SHM_PERM).
 *
 * POSIX message queues are lx's too (ipc/mqueue.c): names, permissions,
 * limits (/proc/sys/fs/mqueue), priorities, blocking, timeouts and
 * notification. A descriptor is an lx file at a guest number whose host
 * fd is a readiness mirror (watch.c), so poll, select and epoll see the
 * queue's messages. lx sends mq_notify's SIGEV_SIGNAL to its own task of
 * the registered process, which runs no handlers and keeps it blocked:
 * after every send kbox takes such signals from lx (sigfwd.c) and
 * queues them to the guest process, si_code SI_MESGQ and value included.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/abi.h"
#include "kbox/dispatch.h"
#include "kbox/path.h"

#define A(i) ((long)r->args[i])
#define I(i) ((int)kbox_arg_int(r->args[i]))

/* The commands (linux/ipc.h, shm.h, sem.h, msg.h; the same in lx). */
enum {
    C_RMID = 0,
    C_SET = 1,
    C_STAT = 2,
    C_INFO = 3,
    SHM_LOCK_ = 11,
    SHM_UNLOCK_ = 12,
    SHM_STAT_ = 13,
    SHM_INFO_ = 14,
    SHM_STAT_ANY_ = 15,
    SEM_GETPID = 11,
    SEM_GETVAL = 12,
    SEM_GETALL = 13,
    SEM_GETNCNT = 14,
    SEM_GETZCNT = 15,
    SEM_SETVAL = 16,
    SEM_SETALL = 17,
    SEM_STAT_ = 18,
    SEM_INFO_ = 19,
    SEM_STAT_ANY_ = 20,
    MSG_STAT_ = 11,
    MSG_INFO_ = 12,
    MSG_STAT_ANY_ = 13,
};

#define SHM_DEST_      01000
#define SHM_LOCKED_    02000
/* shmget flags only the host's segment can honour; the huge page size is
 * bits 26-31 (shifted unsigned: 0x3f << 26 overflows int, UBSan aborted) */
#define SHM_HOST_ONLY  (SHM_HUGETLB | SHM_NORESERVE | (int)(0x3fu << 26))
#define ERESTARTNOHAND 514

/* struct ipc64_perm: the same in both ABIs */
struct ipc_perm64 {
    int key;
    unsigned int uid, gid, cuid, cgid, mode;
    unsigned short seq, pad2;
    unsigned long unused1, unused2;
};

/* struct shmid64_ds and msqid64_ds: the same in both ABIs */
struct shmid_ds64 {
    struct ipc_perm64 perm;
    unsigned long segsz;
    long atime, dtime, ctime;
    int cpid, lpid;
    unsigned long nattch, unused4, unused5;
};

/* struct semid64_ds, x86_64's (times padded as on i386) */
struct semid_ds_x86 {
    struct ipc_perm64 perm;
    long otime;
    unsigned long unused1;
    long ctime;
    unsigned long unused2;
    unsigned long nsems, unused3, unused4;
};

/* struct semid64_ds, lx's (asm-generic, 64-bit) */
struct semid_ds_lx {
    struct ipc_perm64 perm;
    long otime, ctime;
    unsigned long nsems, unused3, unused4;
};

_Static_assert(sizeof(struct ipc_perm64) == 48, "ipc64_perm");
_Static_assert(sizeof(struct shmid_ds64) == 112, "shmid64_ds");
_Static_assert(sizeof(struct semid_ds_x86) == 104, "x86_64 semid64_ds");
_Static_assert(sizeof(struct semid_ds_lx) == 88, "generic semid64_ds");

/* The size of the buffer a *ctl command reads or writes (0: none). */
#define MSQID_DS_SIZE  120
#define SHMINFO64_SIZE 72
#define SHM_INFO_SIZE  48
#define SEMINFO_SIZE   40
#define MSGINFO_SIZE   32
/* bounds on what kbox copies for one call */
#define MSG_COPY_MAX   (16L << 20)
#define SEMOPS_MAX     65536
#define SEMBUF_SIZE    6 /* struct sembuf: num, op, flg (shorts) */

static long lx_root_call(long nr, long a0, long a1, long a2, long a3)
{
    long args[6] = { a0, a1, a2, a3 };

    return lx_task_syscall(lx_task_root(), nr, args);
}

/* ---- shared memory ---- */

struct shm_seg {
    int id; /* the host's and lx's */
    size_t size;
    void *addr;   /* kbox's own attachment, which keeps it alive */
    bool gone;    /* removed in lx, still attached by the guest */
    long perm[5]; /* then: uid, gid, cuid, cgid, mode (for LX_SHM_PERM) */
    struct shmid_ds64 last; /* then: what IPC_STAT said before */
};

static pthread_mutex_t shm_lock = PTHREAD_MUTEX_INITIALIZER;
static struct shm_seg *segs;
static int nsegs, capsegs;

static struct shm_seg *seg_find(int id)
{
    for (int i = 0; i < nsegs; i++)
        if (segs[i].id == id)
            return &segs[i];
    return NULL;
}

static void seg_drop(struct shm_seg *s)
{
    shmdt(s->addr);
    *s = segs[--nsegs];
}

/* The guest's attachments of host segment @id (kbox's own not counted),
 * or -1 when the host has no such segment. */
static long host_nattch(int id, struct shmid_ds *ds)
{
    if (shmctl(id, IPC_STAT, ds) < 0)
        return -1;
    return ds->shm_nattch > 0 ? (long)ds->shm_nattch - 1 : 0;
}

/* Segments the guest removed and no longer has attached go now. */
static void segs_reap(void)
{
    struct shmid_ds ds;

    for (int i = 0; i < nsegs;) {
        if (segs[i].gone && host_nattch(segs[i].id, &ds) <= 0)
            seg_drop(&segs[i]);
        else
            i++;
    }
}

void kbox_ipc_release(void)
{
    pthread_mutex_lock(&shm_lock);
    while (nsegs)
        seg_drop(&segs[0]);
    free(segs);
    segs = NULL;
    capsegs = 0;
    pthread_mutex_unlock(&shm_lock);
}

/* A new host segment for lx segment (key, size, flg): its id, or -errno. */
static long shm_create(struct kbox_req *r, int key, size_t size, int flg)
{
    struct shm_seg *s;
    void *addr;
    long rc;
    int id;

    if (nsegs == capsegs) {
        int ncap = capsegs ? 2 * capsegs : 16;
        struct shm_seg *n = realloc(segs, ncap * sizeof(*n));

        if (!n)
            return -ENOMEM;
        segs = n;
        capsegs = ncap;
    }
    id = shmget(IPC_PRIVATE, size, 0600 | (flg & SHM_HOST_ONLY));
    if (id < 0)
        return -errno;
    addr = shmat(id, NULL, SHM_RDONLY);
    rc = addr == (void *)-1 ? -errno : 0;
    shmctl(id, IPC_RMID, NULL); /* destroyed at the last detach */
    if (rc)
        return rc;
    rc = lx_task_shm(r->task, LX_SHM_CREATE, key, 1,
                     (flg & ~SHM_HOST_ONLY) | IPC_CREAT, id);
    if (rc != id) {
        shmdt(addr);
        if (rc >= 0) {
            /* lx had the number in use: it cannot stand for this one */
            lx_root_call(LX__NR_shmctl, rc, C_RMID, 0, 0);
            rc = -ENOSPC;
        }
        return rc;
    }
    s = &segs[nsegs++];
    memset(s, 0, sizeof(*s));
    s->id = id;
    s->size = size;
    s->addr = addr;
    return id;
}

static struct kbox_resp h_shmget(struct kbox_req *r)
{
    int key = I(0), flg = I(2);
    size_t size = (size_t)A(1);
    long rc;

    pthread_mutex_lock(&shm_lock);
    segs_reap();
    rc = -ENOENT;
    if (key != IPC_PRIVATE) /* lx's size is not the segment's: asks 0 */
        rc = kbox_lx(r, LX__NR_shmget, key, 0,
                     flg & ~(IPC_CREAT | IPC_EXCL | SHM_HOST_ONLY), 0, 0, 0);
    if (rc != -ENOENT) {
        /* the key names a segment */
        struct shm_seg *s = rc >= 0 ? seg_find((int)rc) : NULL;

        if ((flg & (IPC_CREAT | IPC_EXCL)) == (IPC_CREAT | IPC_EXCL))
            rc = -EEXIST;
        else if (s && size > s->size)
            rc = -EINVAL;
    } else if (flg & IPC_CREAT || key == IPC_PRIVATE) {
        rc = shm_create(r, key, size, flg);
    }
    pthread_mutex_unlock(&shm_lock);
    return kbox_ret(rc);
}

static struct kbox_resp h_shmat(struct kbox_req *r)
{
    int id = I(0), flg = I(2);
    long rc = lx_task_shm(r->task, LX_SHM_MAY_ATTACH, id, flg, 0, 0);

    if (rc == -EINVAL || rc == -EIDRM) {
        struct shm_seg *s;

        pthread_mutex_lock(&shm_lock);
        segs_reap();
        s = seg_find(id);
        if (s && s->gone)
            rc = lx_task_shm(r->task, LX_SHM_PERM, (long)s->perm, flg, 0, 0);
        pthread_mutex_unlock(&shm_lock);
    }
    /* The host attaches a segment kbox made, in the guest's memory. */
    return rc ? kbox_ret(rc) : kbox_continue();
}

/* IPC_STAT-like answers: the host's attach count, times and last pid. */
static void shm_host_view(struct shmid_ds64 *d, int id)
{
    struct shmid_ds ds;
    long n = host_nattch(id, &ds);

    if (n < 0)
        return;
    d->segsz = ds.shm_segsz;
    d->nattch = (unsigned long)n;
    d->atime = ds.shm_atime;
    d->dtime = ds.shm_dtime;
    d->lpid = ds.shm_lpid;
}

/* shmctl on a segment lx has forgotten (removed while attached). */
static long shmctl_gone(struct kbox_req *r, struct shm_seg *s, int cmd,
                        uint64_t ubuf)
{
    struct shmid_ds64 d;
    long rc;

    switch (cmd) {
    case C_STAT:
        if ((rc = lx_task_shm(r->task, LX_SHM_PERM, (long)s->perm, SHM_RDONLY,
                              0, 0)))
            return rc;
        d = s->last;
        d.perm.key = IPC_PRIVATE;
        d.perm.uid = s->perm[0];
        d.perm.gid = s->perm[1];
        d.perm.mode = s->perm[4] | SHM_DEST_;
        shm_host_view(&d, s->id);
        return r->ops->write(r, ubuf, &d, sizeof(d)) ? -EFAULT : 0;
    case C_SET:
        if (r->ops->read(r, ubuf, &d, sizeof(d)))
            return -EFAULT;
        if ((rc = lx_task_shm(r->task, LX_SHM_PERM, (long)s->perm,
                              LX_SHM_PERM_OWNER, 0, 0)))
            return rc;
        s->perm[0] = d.perm.uid;
        s->perm[1] = d.perm.gid;
        s->perm[4] = (s->perm[4] & ~0777L) | (d.perm.mode & 0777);
        s->last.ctime = time(NULL);
        return 0;
    case C_RMID:
    case SHM_LOCK_:
    case SHM_UNLOCK_:
        if ((rc = lx_task_shm(r->task, LX_SHM_PERM, (long)s->perm,
                              LX_SHM_PERM_OWNER, 0, 0)))
            return rc;
        if (cmd == SHM_LOCK_)
            s->perm[4] |= SHM_LOCKED_;
        else if (cmd == SHM_UNLOCK_)
            s->perm[4] &= ~(long)SHM_LOCKED_;
        return 0;
    default:
        return -EINVAL;
    }
}

/* IPC_RMID of live segment @s: lx decides; the memory stays while the
 * guest has it attached. */
static long shm_remove(struct kbox_req *r, struct shm_seg *s, int id)
{
    struct shmid_ds64 d;
    struct shmid_ds ds;
    bool have = lx_root_call(LX__NR_shmctl, id, C_STAT, (long)&d, 0) == 0;
    long rc = kbox_lx(r, LX__NR_shmctl, id, C_RMID, 0, 0, 0, 0);

    if (rc || !s)
        return rc;
    if (have && host_nattch(id, &ds) > 0) {
        s->gone = true;
        s->last = d;
        s->perm[0] = d.perm.uid;
        s->perm[1] = d.perm.gid;
        s->perm[2] = d.perm.cuid;
        s->perm[3] = d.perm.cgid;
        s->perm[4] = d.perm.mode & (0777 | SHM_LOCKED_);
    } else {
        seg_drop(s);
    }
    return 0;
}

static struct kbox_resp h_shmctl(struct kbox_req *r)
{
    int id = I(0), cmd = I(1);
    uint64_t ubuf = r->args[2];
    union {
        struct shmid_ds64 ds;
        char info[SHMINFO64_SIZE];
    } b;
    struct shm_seg *s;
    long rc;

    memset(&b, 0, sizeof(b));
    pthread_mutex_lock(&shm_lock);
    segs_reap();
    s = seg_find(id);
    /* (the *_STAT commands other than IPC_STAT take an index) */
    if (s && s->gone && cmd != SHM_STAT_ && cmd != SHM_STAT_ANY_ &&
        cmd != C_INFO && cmd != SHM_INFO_) {
        rc = shmctl_gone(r, s, cmd, ubuf);
        goto out;
    }
    switch (cmd) {
    case C_STAT:
    case SHM_STAT_:
    case SHM_STAT_ANY_:
        rc = kbox_lx(r, LX__NR_shmctl, id, cmd, (long)&b.ds, 0, 0, 0);
        if (rc < 0)
            break;
        shm_host_view(&b.ds, cmd == C_STAT ? id : (int)rc);
        if (r->ops->write(r, ubuf, &b.ds, sizeof(b.ds)))
            rc = -EFAULT;
        break;
    case C_SET:
        if (r->ops->read(r, ubuf, &b.ds, sizeof(b.ds))) {
            rc = -EFAULT;
            break;
        }
        rc = kbox_lx(r, LX__NR_shmctl, id, cmd, (long)&b.ds, 0, 0, 0);
        break;
    case C_INFO:
    case SHM_INFO_:
        rc = kbox_lx(r, LX__NR_shmctl, id, cmd, (long)b.info, 0, 0, 0);
        if (rc >= 0 && cmd == SHM_INFO_) {
            /* the pages of the host segments (lx's are a byte each);
             * as resident, which is at most what they are */
            unsigned long pages = 0, psz = (unsigned long)getpagesize();

            for (int i = 0; i < nsegs; i++)
                pages += (segs[i].size + psz - 1) / psz;
            memcpy(b.info + 8, &pages, sizeof(pages));
            memcpy(b.info + 16, &pages, sizeof(pages));
        }
        if (rc >= 0 &&
            r->ops->write(r, ubuf, b.info,
                          cmd == C_INFO ? SHMINFO64_SIZE : SHM_INFO_SIZE))
            rc = -EFAULT;
        break;
    case C_RMID:
        rc = shm_remove(r, s, id);
        break;
    default: /* SHM_LOCK, SHM_UNLOCK (lx's mode bit), or EINVAL */
        rc = kbox_lx(r, LX__NR_shmctl, id, cmd, 0, 0, 0, 0);
        break;
    }
out:
    pthread_mutex_unlock(&shm_lock);
    return kbox_ret(rc);
}

/* One line of /proc/sysvipc/shm (ipc/shm.c's format, 64-bit). */
static int shm_proc_line(char *out, size_t len, const struct shmid_ds64 *d,
                         int id)
{
    unsigned long psz = (unsigned long)getpagesize();

    return snprintf(out, len,
                    "%10d %10d  %4o %21lu %5u %5u  %5lu %5u %5u %5u %5u "
                    "%10llu %10llu %10llu %21lu %21lu\n",
                    d->perm.key, id, d->perm.mode, d->segsz, d->cpid, d->lpid,
                    d->nattch, d->perm.uid, d->perm.gid, d->perm.cuid,
                    d->perm.cgid, (unsigned long long)d->atime,
                    (unsigned long long)d->dtime, (unsigned long long)d->ctime,
                    (d->segsz + psz - 1) / psz * psz, 0ul);
}

int kbox_ipc_proc_shm_fd(struct kbox_req *r, int lxfd)
{
    char path[64], in[65536], *out = NULL, *line, *save;
    size_t n = 0, cap = 0;
    long got = lx_task_fd_path(r->task, lxfd, path, sizeof(path));
    FILE *f;
    int fd;

    if (got < 0 || strcmp(path, "/proc/sysvipc/shm"))
        return -ENOENT;
    got = 0;
    for (;;) {
        long k = kbox_lx(r, LX__NR_read, lxfd, (long)in + got,
                         (long)sizeof(in) - 1 - got, 0, 0, 0);

        if (k < 0)
            return (int)k;
        if (k == 0 || got + k >= (long)sizeof(in) - 1) {
            got += k;
            break;
        }
        got += k;
    }
    in[got] = '\0';
    f = open_memstream(&out, &cap);
    if (!f)
        return -ENOMEM;
    pthread_mutex_lock(&shm_lock);
    segs_reap();
    /* lx's lines, with the host segments' sizes, attaches and times */
    for (line = strtok_r(in, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        struct shmid_ds64 d;
        char l[512];
        int id;

        if (sscanf(line, "%*d %d", &id) != 1 || !seg_find(id) ||
            lx_root_call(LX__NR_shmctl, id, C_STAT, (long)&d, 0) < 0) {
            fprintf(f, "%s\n", line); /* the header */
            continue;
        }
        shm_host_view(&d, id);
        shm_proc_line(l, sizeof(l), &d, id);
        fputs(l, f);
    }
    /* and those removed while attached, as Linux lists them */
    for (int i = 0; i < nsegs; i++) {
        struct shmid_ds64 d = segs[i].last;
        char l[512];

        if (!segs[i].gone)
            continue;
        d.perm.key = IPC_PRIVATE;
        d.perm.uid = segs[i].perm[0];
        d.perm.gid = segs[i].perm[1];
        d.perm.mode = segs[i].perm[4] | SHM_DEST_;
        shm_host_view(&d, segs[i].id);
        shm_proc_line(l, sizeof(l), &d, segs[i].id);
        fputs(l, f);
    }
    pthread_mutex_unlock(&shm_lock);
    if (fclose(f)) {
        free(out);
        return -ENOMEM;
    }
    n = cap;
    fd = memfd_create("kbox-sysvipc-shm", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0 || write(fd, out, n) != (ssize_t)n || lseek(fd, 0, SEEK_SET) ||
        fcntl(fd, F_ADD_SEALS,
              F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL)) {
        int e = errno ? errno : EIO;

        if (fd >= 0)
            close(fd);
        free(out);
        return -e;
    }
    free(out);
    return fd;
}

/* ---- semaphores ---- */

static struct kbox_resp h_semget(struct kbox_req *r)
{
    return kbox_ret(kbox_lx(r, LX__NR_semget, I(0), I(1), I(2), 0, 0, 0));
}

/* semop(id, sops, nsops) and semtimedop(..., timeout) */
static struct kbox_resp h_semtimedop(struct kbox_req *r)
{
    size_t nsops = (size_t)A(2);
    struct timespec ts;
    char *sops;
    long rc;
    bool timed = r->nr == SYS_semtimedop && r->args[3];

    if (nsops < 1)
        return kbox_ret(-EINVAL);
    if (nsops > SEMOPS_MAX)
        return kbox_ret(-E2BIG);
    sops = malloc(nsops * SEMBUF_SIZE);
    if (!sops)
        return kbox_ret(-ENOMEM);
    rc = r->ops->read(r, r->args[1], sops, nsops * SEMBUF_SIZE);
    if (!rc && timed && r->ops->read(r, r->args[3], &ts, sizeof(ts)))
        rc = -EFAULT;
    if (!rc) {
        /* semop never restarts after a signal: EINTR, as natively */
        r->restart = EINTR;
        rc = kbox_lx(r, LX__NR_semtimedop, I(0), (long)sops, (long)nsops,
                     timed ? (long)&ts : 0, 0, 0);
    } else {
        rc = -EFAULT;
    }
    free(sops);
    return kbox_ret(rc);
}

/* The number of semaphores in set @id (whoever may ask), or -errno. */
static long sem_count(int id)
{
    struct semid_ds_lx d;
    long rc = lx_root_call(LX__NR_semctl, id, 0, C_STAT, (long)&d);

    return rc < 0 ? rc : (long)d.nsems;
}

static struct kbox_resp h_semctl(struct kbox_req *r)
{
    int id = I(0), num = I(1), cmd = I(2);
    uint64_t uarg = r->args[3];
    struct semid_ds_lx l;
    struct semid_ds_x86 x;
    char info[SEMINFO_SIZE];
    unsigned short *vals;
    long rc, n;

    switch (cmd) {
    case C_STAT:
    case SEM_STAT_:
    case SEM_STAT_ANY_:
        rc = kbox_lx(r, LX__NR_semctl, id, num, cmd, (long)&l, 0, 0);
        if (rc < 0)
            return kbox_ret(rc);
        memset(&x, 0, sizeof(x));
        x.perm = l.perm;
        x.otime = l.otime;
        x.ctime = l.ctime;
        x.nsems = l.nsems;
        return kbox_ret(r->ops->write(r, uarg, &x, sizeof(x)) ? -EFAULT : rc);
    case C_SET:
        if (r->ops->read(r, uarg, &x, sizeof(x)))
            return kbox_ret(-EFAULT);
        memset(&l, 0, sizeof(l));
        l.perm = x.perm;
        return kbox_ret(
            kbox_lx(r, LX__NR_semctl, id, num, cmd, (long)&l, 0, 0));
    case C_INFO:
    case SEM_INFO_:
        rc = kbox_lx(r, LX__NR_semctl, id, num, cmd, (long)info, 0, 0);
        if (rc >= 0 && r->ops->write(r, uarg, info, sizeof(info)))
            rc = -EFAULT;
        return kbox_ret(rc);
    case SEM_GETALL:
    case SEM_SETALL:
        n = sem_count(id);
        if (n < 0)
            return kbox_ret(n);
        vals = calloc(n ? n : 1, sizeof(*vals));
        if (!vals)
            return kbox_ret(-ENOMEM);
        if (cmd == SEM_SETALL &&
            r->ops->read(r, uarg, vals, n * sizeof(*vals))) {
            free(vals);
            return kbox_ret(-EFAULT);
        }
        rc = kbox_lx(r, LX__NR_semctl, id, num, cmd, (long)vals, 0, 0);
        if (rc >= 0 && cmd == SEM_GETALL &&
            r->ops->write(r, uarg, vals, n * sizeof(*vals)))
            rc = -EFAULT;
        free(vals);
        return kbox_ret(rc);
    default: /* RMID, GETVAL/PID/NCNT/ZCNT, SETVAL (a value), or EINVAL */
        return kbox_ret(
            kbox_lx(r, LX__NR_semctl, id, num, cmd, (long)uarg, 0, 0));
    }
}

/* ---- message queues ---- */

static struct kbox_resp h_msgget(struct kbox_req *r)
{
    return kbox_ret(kbox_lx(r, LX__NR_msgget, I(0), I(1), 0, 0, 0, 0));
}

/* msgsnd(id, msgp, msgsz, flg): msgp is { long mtype; char mtext[]; } */
static struct kbox_resp h_msgsnd(struct kbox_req *r)
{
    long size = A(2);
    char *buf;
    long rc;

    if (size < 0 || size > MSG_COPY_MAX)
        return kbox_ret(-EINVAL);
    buf = malloc(sizeof(long) + size);
    if (!buf)
        return kbox_ret(-ENOMEM);
    if (r->ops->read(r, r->args[1], buf, sizeof(long) + size)) {
        struct msginfo mi;
        long mtype;

        free(buf);
        /* lx must not be given the guest's bad buffer: its user copies
         * are plain memcpy, so a NULL msgp crashed kbox. Linux reads
         * mtype first (EFAULT), then checks the size, id and type
         * (EINVAL) before it copies the text (EFAULT). */
        if (r->ops->read(r, r->args[1], &mtype, sizeof(mtype)))
            return kbox_ret(-EFAULT);
        memset(&mi, 0, sizeof(mi));
        if (kbox_lx(r, LX__NR_msgctl, 0, C_INFO, (long)&mi, 0, 0, 0) < 0)
            return kbox_ret(-EFAULT);
        if (size > mi.msgmax || I(0) < 0 || mtype < 1)
            return kbox_ret(-EINVAL);
        return kbox_ret(-EFAULT);
    }
    r->restart = ERESTARTNOHAND;
    rc = kbox_lx(r, LX__NR_msgsnd, I(0), (long)buf, size, I(3), 0, 0);
    free(buf);
    return kbox_ret(rc);
}

/* msgrcv(id, msgp, msgsz, msgtyp, flg) */
static struct kbox_resp h_msgrcv(struct kbox_req *r)
{
    long size = A(2);
    char *buf;
    long rc;

    if (size < 0)
        return kbox_ret(-EINVAL);
    if (size > MSG_COPY_MAX)
        size = MSG_COPY_MAX; /* above any message lx is set up to hold */
    buf = malloc(sizeof(long) + size);
    if (!buf)
        return kbox_ret(-ENOMEM);
    r->restart = ERESTARTNOHAND;
    rc = kbox_lx(r, LX__NR_msgrcv, I(0), (long)buf, size, A(3), I(4), 0);
    if (rc >= 0 && r->ops->write(r, r->args[1], buf, sizeof(long) + rc))
        rc = -EFAULT; /* natively the message is lost as well */
    free(buf);
    return kbox_ret(rc);
}

static struct kbox_resp h_msgctl(struct kbox_req *r)
{
    int id = I(0), cmd = I(1);
    uint64_t ubuf = r->args[2];
    char b[MSQID_DS_SIZE];
    long rc, len;

    memset(b, 0, sizeof(b));
    switch (cmd) {
    case C_STAT:
    case MSG_STAT_:
    case MSG_STAT_ANY_:
    case C_INFO:
    case MSG_INFO_:
        len =
            (cmd == C_INFO || cmd == MSG_INFO_) ? MSGINFO_SIZE : MSQID_DS_SIZE;
        rc = kbox_lx(r, LX__NR_msgctl, id, cmd, (long)b, 0, 0, 0);
        if (rc >= 0 && r->ops->write(r, ubuf, b, len))
            rc = -EFAULT;
        return kbox_ret(rc);
    case C_SET:
        if (r->ops->read(r, ubuf, b, MSQID_DS_SIZE))
            return kbox_ret(-EFAULT);
        return kbox_ret(kbox_lx(r, LX__NR_msgctl, id, cmd, (long)b, 0, 0, 0));
    default: /* RMID, or EINVAL */
        return kbox_ret(kbox_lx(r, LX__NR_msgctl, id, cmd, 0, 0, 0, 0));
    }
}

/* ---- POSIX message queues ---- */

#define MQ_PRIO_MAX_    32768
#define MQ_MSGSIZE_MAX_ (16L << 20) /* HARD_MSGSIZEMAX: no queue has more */
#define MQ_COOKIE_LEN   32          /* NOTIFY_COOKIE_LEN */
#define SI_MESGQ_       (-3)
#define SIGEV_SIGNAL_   0
#define SIGEV_THREAD_   2

/* struct mq_attr: the same in both ABIs */
struct mq_attr_k {
    long flags, maxmsg, msgsize, curmsgs, unused[4];
};

/* struct sigevent: the same in both ABIs */
struct sigevent_k {
    long value;
    int signo, notify;
    long un[6];
};

_Static_assert(sizeof(struct mq_attr_k) == 64, "mq_attr");
_Static_assert(sizeof(struct sigevent_k) == 64, "sigevent");

/* SIGEV_SIGNAL registrations ever made: none, no signals to look for. */
static int mq_notifies;

/*
 * SIGKILL and SIGSTOP cannot be blocked, so lx cannot hold them for
 * kbox: SIGKILL is queued without its siginfo and makes lx's thread group
 * exit, SIGSTOP is dropped when the task next leaves lx (at once when the
 * process sent the message itself). mq_notify of either killed or
 * stopped nothing. lx is given SIGUSR1 instead, with a value that names
 * the real signal; neither can have a handler, so the guest never sees
 * its own value. The tag is random so no guest value is taken for one.
 */
static unsigned long mq_unblockable_tag;
static pthread_once_t mq_unblockable_once = PTHREAD_ONCE_INIT;

static void mq_unblockable_init(void)
{
    unsigned long t = 0;

    if (syscall(SYS_getrandom, &t, sizeof(t), 0) != sizeof(t))
        t = (unsigned long)&t ^ (unsigned long)time(NULL);
    mq_unblockable_tag = t & ~0xffUL;
}

/* The signal lx sent as @signo with @value stands for (see above). */
static int mq_real_signo(int signo, long value)
{
    unsigned long v = (unsigned long)value;

    if (signo != SIGUSR1 || !mq_unblockable_tag ||
        (v & ~0xffUL) != mq_unblockable_tag)
        return signo;
    v &= 0xff;
    return v == SIGKILL || v == SIGSTOP ? (int)v : signo;
}

/*
 * Queue the mq_notify signals lx sent (a send made a queue non-empty)
 * to the guest processes, right after the send (kbox's signal thread,
 * sigfwd.c, would take them too, a moment later).
 */
static void mq_deliver(void)
{
    if (__atomic_load_n(&mq_notifies, __ATOMIC_RELAXED))
        kbox_sigfwd_collect();
}

/*
 * Queue one mq_notify signal lx sent to @tgid's task (its guest thread's
 * host pid): the signal is for the whole process, as natively.
 */
void kbox_mq_deliver_one(pid_t tgid, int signo, long value, pid_t spid,
                         uid_t suid)
{
    struct kbox_proc *p = kbox_proc_lookup(tgid);
    pid_t to = p ? p->tgid : tgid;
    int real = mq_real_signo(signo, value);
    siginfo_t si;

    kbox_proc_put(p);
    if (real != signo) {
        kill(to, real);
        return;
    }
    memset(&si, 0, sizeof(si));
    si.si_signo = signo;
    si.si_code = SI_MESGQ_;
    si.si_pid = spid;
    si.si_uid = suid;
    si.si_value.sival_ptr = (void *)value;
    syscall(SYS_rt_sigqueueinfo, to, signo, &si);
}

/* Read the absolute timeout at @addr (0: none) into @ts; -errno. */
static long mq_timeout(struct kbox_req *r, uint64_t addr, struct timespec *ts,
                       struct timespec **tsp)
{
    *tsp = NULL;
    if (!addr)
        return 0;
    if (r->ops->read(r, addr, ts, sizeof(*ts)))
        return -EFAULT;
    *tsp = ts;
    return 0;
}

/*
 * mq_open(name, oflag, mode, attr): glibc passes the name without its
 * leading '/'; lx looks it up in the queues' filesystem. Every queue
 * descriptor is close-on-exec, as do_mq_open makes it.
 */
static struct kbox_resp h_mq_open(struct kbox_req *r)
{
    char name[KBOX_PATH_MAX];
    struct mq_attr_k attr;
    long rc;

    if (r->args[3] && r->ops->read(r, r->args[3], &attr, sizeof(attr)))
        return kbox_ret(-EFAULT);
    rc = r->ops->read_str(r, r->args[0], name, sizeof(name));
    if (rc)
        return kbox_ret(rc);
    rc = kbox_lx(r, LX__NR_mq_open, (long)name, I(1), (long)(unsigned)A(2),
                 r->args[3] ? (long)&attr : 0, 0, 0);
    if (rc < 0)
        return kbox_ret(rc);
    /* writable: a queue that is not full polls writable (mostly so) */
    return kbox_mirror_install_reply(r, (int)rc, true, true);
}

static struct kbox_resp h_mq_unlink(struct kbox_req *r)
{
    char name[KBOX_PATH_MAX];
    long rc = r->ops->read_str(r, r->args[0], name, sizeof(name));

    if (rc)
        return kbox_ret(rc);
    return kbox_ret(kbox_lx(r, LX__NR_mq_unlink, (long)name, 0, 0, 0, 0, 0));
}

/*
 * The error mq_timedsend gives when the message cannot be read: lx must
 * not be given the guest's bad buffer (its user copies are memcpy), so
 * the checks Linux makes before it copies are made here.
 */
static long mq_send_fault(struct kbox_req *r, int lxfd, size_t len)
{
    struct mq_attr_k a;
    long rc;

    if ((unsigned)A(3) >= MQ_PRIO_MAX_)
        return -EINVAL;
    rc = kbox_lx(r, LX__NR_mq_getsetattr, lxfd, 0, (long)&a, 0, 0, 0);
    if (rc < 0)
        return rc;
    if ((kbox_lx(r, LX__NR_fcntl, lxfd, F_GETFL, 0, 0, 0, 0) & O_ACCMODE) ==
        O_RDONLY)
        return -EBADF;
    return len > (size_t)a.msgsize ? -EMSGSIZE : -EFAULT;
}

/* mq_timedsend(mqd, msg, len, prio, abs_timeout) */
static struct kbox_resp h_mq_timedsend(struct kbox_req *r)
{
    int lxfd = kbox_lxfd(r, I(0));
    size_t len = (size_t)A(2);
    struct timespec ts, *tsp;
    char *buf = NULL;
    long rc = mq_timeout(r, r->args[4], &ts, &tsp);

    if (rc)
        return kbox_ret(rc);
    /* Longer than any queue takes: lx says so before it copies. */
    if (len <= (size_t)MQ_MSGSIZE_MAX_) {
        buf = malloc(len ? len : 1);
        if (!buf)
            return kbox_ret(-ENOMEM);
        if (len && r->ops->read(r, r->args[1], buf, len)) {
            free(buf);
            return kbox_ret(mq_send_fault(r, lxfd, len));
        }
    }
    rc = kbox_lx(r, LX__NR_mq_timedsend, lxfd, (long)buf, (long)len,
                 (long)(unsigned)A(3), (long)tsp, 0);
    free(buf);
    if (rc >= 0)
        mq_deliver();
    return kbox_ret(rc);
}

/* mq_timedreceive(mqd, msg, len, prio *, abs_timeout) */
static struct kbox_resp h_mq_timedreceive(struct kbox_req *r)
{
    int lxfd = kbox_lxfd(r, I(0));
    size_t len = (size_t)A(2);
    struct timespec ts, *tsp;
    unsigned int prio = 0;
    char *buf;
    long rc = mq_timeout(r, r->args[4], &ts, &tsp);

    if (rc)
        return kbox_ret(rc);
    if (len > (size_t)MQ_MSGSIZE_MAX_)
        len = MQ_MSGSIZE_MAX_; /* still no smaller than any message size */
    buf = malloc(len ? len : 1);
    if (!buf)
        return kbox_ret(-ENOMEM);
    rc = kbox_lx(r, LX__NR_mq_timedreceive, lxfd, (long)buf, (long)len,
                 (long)&prio, (long)tsp, 0);
    if (rc >= 0 && rc > 0 && r->ops->write(r, r->args[1], buf, (size_t)rc))
        rc = -EFAULT; /* natively the message is lost as well */
    else if (rc >= 0 && r->args[3] &&
             r->ops->write(r, r->args[3], &prio, sizeof(prio)))
        rc = -EFAULT;
    free(buf);
    if (lxfd >= 0)
        kbox_mirror_sync(r, lxfd); /* it may be empty now */
    return kbox_ret(rc);
}

/* mq_notify(mqd, sevp) */
static struct kbox_resp h_mq_notify(struct kbox_req *r)
{
    int lxfd = kbox_lxfd(r, I(0));
    struct sigevent_k ev;
    char cookie[MQ_COOKIE_LEN];

    if (!r->args[1])
        return kbox_ret(kbox_lx(r, LX__NR_mq_notify, lxfd, 0, 0, 0, 0, 0));
    if (r->ops->read(r, r->args[1], &ev, sizeof(ev)))
        return kbox_ret(-EFAULT);
    if (ev.notify == SIGEV_THREAD_) {
        /*
         * glibc's SIGEV_THREAD names a netlink socket that receives a
         * cookie; the guest's netlink sockets are the host's, which lx
         * cannot send to. The cookie is read as natively, then lx finds
         * no socket of its own there: EBADF.
         */
        if (r->ops->read(r, (uint64_t)ev.value, cookie, sizeof(cookie)))
            return kbox_ret(-EFAULT);
        ev.value = (long)cookie;
        ev.signo = kbox_lxfd(r, ev.signo);
    }
    if (ev.notify == SIGEV_SIGNAL_) {
        if (ev.signo == SIGKILL || ev.signo == SIGSTOP) {
            pthread_once(&mq_unblockable_once, mq_unblockable_init);
            ev.value = (long)(mq_unblockable_tag | (unsigned long)ev.signo);
            ev.signo = SIGUSR1;
        }
        __atomic_add_fetch(&mq_notifies, 1, __ATOMIC_RELAXED);
    }
    return kbox_ret(kbox_lx(r, LX__NR_mq_notify, lxfd, (long)&ev, 0, 0, 0, 0));
}

/* mq_getsetattr(mqd, new, old) */
static struct kbox_resp h_mq_getsetattr(struct kbox_req *r)
{
    struct mq_attr_k n, o;
    long rc;

    if (r->args[1] && r->ops->read(r, r->args[1], &n, sizeof(n)))
        return kbox_ret(-EFAULT);
    memset(&o, 0, sizeof(o));
    rc = kbox_lx(r, LX__NR_mq_getsetattr, kbox_lxfd(r, I(0)),
                 r->args[1] ? (long)&n : 0, r->args[2] ? (long)&o : 0, 0, 0, 0);
    if (!rc && r->args[2] && r->ops->write(r, r->args[2], &o, sizeof(o)))
        rc = -EFAULT;
    return kbox_ret(rc);
}

kbox_handler kbox_ipc_handler(long nr)
{
    switch (nr) {
    case SYS_shmget:
        return h_shmget;
    case SYS_shmat:
        return h_shmat;
    case SYS_shmctl:
        return h_shmctl;
    case SYS_semget:
        return h_semget;
    case SYS_semop:
    case SYS_semtimedop:
        return h_semtimedop;
    case SYS_semctl:
        return h_semctl;
    case SYS_msgget:
        return h_msgget;
    case SYS_msgsnd:
        return h_msgsnd;
    case SYS_msgrcv:
        return h_msgrcv;
    case SYS_msgctl:
        return h_msgctl;
    case SYS_mq_open:
        return h_mq_open;
    case SYS_mq_unlink:
        return h_mq_unlink;
    case SYS_mq_timedsend:
        return h_mq_timedsend;
    case SYS_mq_timedreceive:
        return h_mq_timedreceive;
    case SYS_mq_notify:
        return h_mq_notify;
    case SYS_mq_getsetattr:
        return h_mq_getsetattr;
    default:
        return NULL;
    }
}
