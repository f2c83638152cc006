/* SPDX-License-Identifier: MIT */
/*
 * mmap and msync of lx files (from fd.c): the host maps a memfd holding
 * the file's bytes - a content copy for private mappings, the inode's
 * shared memfd (shmap.c) for shared ones - put at the guest's fd number.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/abi.h"
#include "kbox/cache.h"
#include "kbox/dispatch.h"
#include "kbox/exec.h"
#include "kbox/fdtable.h"
#include "kbox/path.h"

#define A(i)  ((long)r->args[i])
#define FD(i) ((int)kbox_arg_int(r->args[i]))

/*
 * Is the content memfd at guest fd @gfd (a shadow of a file with stat @g
 * and change counter @version) still the file's content? It is the cached copy
 * for the file's key now, or the file changed since (mmap would map the old
 * bytes: stale pages, or SIGBUS past the old end).
 */
static bool shadow_current(struct kbox_req *r, int gfd,
                           const struct kbox_gstat *g, uint64_t version)
{
    struct kbox_cache_key k;

    kbox_cache_key_from(&k, g, 0);
    k.version = version;
    return kbox_cache_is_at(&k, r->pid, gfd);
}

/*
 * mmap of an lx file: the guest needs a host fd with the content. Copy
 * the file into a memfd (point in time, cached by content) and put it at
 * the same guest fd number in place of the placeholder, then let the host
 * map it. Of a file over WINDOW_FILE_MIN only the mapped window is copied
 * when it is less than half the file, and always over WINDOW_FILE_ALWAYS
 * (whole copies are capped at 1 GiB); such a copy is not the cached one,
 * so the next mmap of the fd copies its own window. Shared mappings (and
 * any mapping of a file that has one) use the inode's shared memfd
 * instead, kept coherent with the file (shmap.c).
 */
#define WINDOW_FILE_MIN    (64LL << 20)
#define WINDOW_FILE_ALWAYS (1LL << 30)
#ifndef MAP_UNINITIALIZED
#define MAP_UNINITIALIZED 0x4000000
#endif
/* The flags MAP_SHARED_VALIDATE accepts for a file without DAX (Linux's
 * LEGACY_MAP_MASK): neither lx's files nor the memfds take MAP_SYNC. */
#define MAP_VALIDATE_OK                                                     \
    (MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE | \
     MAP_EXECUTABLE | MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED |      \
     MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB)
/*
 * For the copy of a sparse file (fewer blocks than bytes) a description
 * of its own in the holder task, to find the holes with SEEK_DATA and
 * SEEK_HOLE without moving the guest's offset: the copy need not read
 * them (a mapping of a 4 GiB sparse file took 12-30 s). -1: no holes
 * to look for.
 */
static long hole_probe_open(struct kbox_req *r, int fd,
                            const struct kbox_gstat *g)
{
    long q;

    if (!kbox_sup.holder || g->st_size <= 0 ||
        (uint64_t)g->st_blocks * 512 >= (uint64_t)g->st_size)
        return -1;
    q = lx_task_getfd(kbox_sup.holder, r->task, fd,
                      LX_O_CLOEXEC | LX_GETFD_QUIET);
    return q < 0 ? -1 : q;
}

static void hole_probe_close(long q)
{
    long a[6] = { q, 0, 0, 0, 0, 0 };

    if (q >= 0)
        lx_task_syscall(kbox_sup.holder, LX__NR_close, a);
}

struct mmap_swap {
    struct kbox_req *r;
    int mfd, gfd;
};

static int mmap_swap_fd(void *arg, bool cloexec)
{
    struct mmap_swap *c = arg;

    return c->r->ops->addfd(c->r, c->mfd, c->gfd, cloexec, false);
}

struct kbox_resp kbox_mm_mmap(struct kbox_req *r)
{
    int gfd = FD(4), fd = kbox_lxfd(r, gfd);
    int flags = (int)A(3), prot = (int)A(2);
    /* MAP_SHARED_VALIDATE (3) is MAP_SHARED with its flags checked */
    bool shared = (flags & MAP_TYPE) == MAP_SHARED ||
                  (flags & MAP_TYPE) == MAP_SHARED_VALIDATE;
    bool shared_w = shared && (prot & PROT_WRITE);
    struct kbox_gstat g;
    long rc, fl;
    uint64_t version;
    bool shadow;
    int mfd;

    if ((flags & MAP_ANONYMOUS) || fd < 0)
        return kbox_continue();
    /* Refused before the inode gets a shared memfd: MariaDB tries
     * MAP_SHARED_VALIDATE|MAP_SYNC on its redo log, and the memfd left
     * behind (writable) made every fdatasync of the log compare it whole
     * with the image (55 ms a commit with a 96 MiB log). */
    if ((flags & MAP_TYPE) == MAP_SHARED_VALIDATE && (flags & ~MAP_VALIDATE_OK))
        return kbox_ret(-EOPNOTSUPP);
    /* An executable mapping of a file on a noexec mount is EPERM: the
     * memfd kbox maps is on no such mount (a later mprotect to PROT_EXEC
     * is the host's and still succeeds). */
    if (prot & PROT_EXEC) {
        struct statfs sf;

        if (kbox_lx(r, LX__NR_fstatfs, fd, (long)&sf, 0, 0, 0, 0) == 0 &&
            (sf.f_flags & ST_NOEXEC))
            return kbox_ret(-EPERM);
    }
    rc = kbox_lx(r, LX__NR_fstat, fd, (long)&g, 0, 0, 0, 0);
    if (rc < 0)
        return kbox_ret(rc);
    version = kbox_file_version(r->task, fd);
    shadow = kbox_fdt_shadow(r->proc->fdt, gfd) &&
             shadow_current(r, gfd, &g, version);
    if (shadow && !shared && !kbox_shmap_any()) {
        /* atime, as Linux's mmap sets it (relatime's rules) */
        lx_task_getfd(r->task, r->task, fd, LX_GETFD_ACCESSED);
        return kbox_continue(); /* the content memfd is already there */
    }
    if (!S_ISREG(g.st_mode))
        return kbox_ret(-ENODEV);
    fl = kbox_lx(r, LX__NR_fcntl, fd, F_GETFL, 0, 0, 0, 0);
    if (fl < 0)
        return kbox_ret(fl);
    if ((fl & O_ACCMODE) == O_WRONLY ||
        (shared_w && (fl & O_ACCMODE) != O_RDWR))
        return kbox_ret(-EACCES);
    /* An append-only inode (chattr +a) cannot be mapped shared writable,
     * as in Linux's do_mmap; an fd opened O_APPEND can (write-back writes
     * in place: RWF_NOAPPEND). kbox refused both until the twenty-second
     * session. */
    if (shared_w && (fl & O_APPEND)) {
        long attr = 0;

        if (kbox_lx(r, LX__NR_ioctl, fd, FS_IOC_GETFLAGS, (long)&attr, 0, 0,
                    0) == 0 &&
            ((int)attr & FS_APPEND_FL))
            return kbox_ret(-EACCES);
    }
    lx_task_getfd(r->task, r->task, fd, LX_GETFD_ACCESSED);
    mfd = -ENOENT;
    if (shared || kbox_shmap_any())
        /* (a read-only one of a huge file: a window, not a whole copy) */
        mfd = kbox_shmap_map(
            r, fd, &g, shared && (shared_w || g.st_size <= WINDOW_FILE_ALWAYS),
            shared && (fl & O_ACCMODE) == O_RDWR);
    if (mfd == -ENOENT) {
        uint64_t off = (uint64_t)A(5), len = (uint64_t)A(1);

        if (shadow)
            return kbox_continue();
        long q = hole_probe_open(r, fd, &g);

        /* A window of a big file: copy the window, not the file (a
         * mapping of 4 KiB at the end of a 1 GiB file took 4 s). */
        if (g.st_size > WINDOW_FILE_MIN &&
            (g.st_size > WINDOW_FILE_ALWAYS || len < (uint64_t)g.st_size / 2))
            mfd = kbox_exec_window_memfd(r->task, fd, kbox_sup.holder, q, &g,
                                         off, len);
        else
            mfd = kbox_exec_content_memfd(r->task, fd, kbox_sup.holder, q, &g,
                                          version);
        hole_probe_close(q);
    }
    if (mfd < 0)
        return kbox_ret(mfd);
    {
        char gp[KBOX_PATH_MAX]; /* what /proc/<pid>/maps is to name */

        if (lx_task_fd_path(r->task, fd, gp, sizeof(gp)) > 0)
            kbox_mapname_note_id(mfd, gp, g.st_dev, g.st_ino);
    }
    {
        struct mmap_swap c = { r, mfd, gfd };

        /* not onto a number another thread closed and reused since the
         * lookup: a socket opened there was replaced by the memfd */
        rc = kbox_fdt_swap_if(r->proc->fdt, gfd, fd, mmap_swap_fd, &c);
    }
    close(mfd);
    if (rc < 0)
        return kbox_ret(rc);
    kbox_fdt_set_shadow(r->proc->fdt, gfd, fd);
    return kbox_continue();
}

/*
 * msync: MS_SYNC writes the stores in the range back to the image (other
 * processes see them through the memfd at once, as through Linux's page
 * cache, so MS_ASYNC - a no-op in Linux - needs nothing). A call Linux
 * refuses (mm/msync.c's checks) writes nothing; the host answers it.
 */
struct kbox_resp kbox_mm_msync(struct kbox_req *r)
{
    uint64_t addr = r->args[0], len = (r->args[1] + 4095) & ~4095ull;
    int flags = (int)r->args[2];

    if ((flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) || (addr & 4095) ||
        ((flags & MS_ASYNC) && (flags & MS_SYNC)) || addr + len < addr ||
        !(flags & MS_SYNC))
        return kbox_continue();
    if (len)
        kbox_shmap_msync(r->proc->tgid, addr, len);
    return kbox_continue();
}
