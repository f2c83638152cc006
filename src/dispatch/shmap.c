/* SPDX-License-Identifier: MIT */
/*
 * Shared mappings of image files (mmap MAP_SHARED).
 *
 * The host can only map host objects, so each image inode mapped this way
 * gets one memfd holding its content, shared by every process and every
 * mapping of that inode (sqlite's -shm, apt's caches: several processes
 * must see each other's stores at once). While it exists the memfd is kept
 * coherent with the file, as Linux's page cache is:
 * - every change lx makes to the file's bytes or size through kbox
 *   (write, pwrite, writev, sendfile, splice, copy_file_range, fallocate,
 *   truncate, O_TRUNC) is copied into the memfd under the map's lock
 *   (kbox_lx_change), so mappings see it at once (SQLite and LMDB read
 *   through a read-only MAP_SHARED mapping and write with pwrite);
 * - when the memfd was handed out writable, reads of the file come from
 *   it (kbox_shmap_pread), so read() sees stores at once; the stores are
 *   written back to the image through an lx fd kept in the holder task on
 *   msync, fsync/fdatasync of the file, and when a process that mapped it
 *   (or inherited the mapping by fork) ends. When the last such process
 *   has ended the memfd is dropped and the next mapping starts from the
 *   image again.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/abi.h"
#include "kbox/dispatch.h"

#define MAX_USERS 64

#ifndef RWF_APPEND
#define RWF_APPEND 0x10
#endif
#ifndef RWF_NOAPPEND
#define RWF_NOAPPEND 0x20
#endif

struct shmap {
    uint64_t dev, ino;
    int memfd;
    long held;          /* lx fd in kbox_sup.holder, readable */
    bool held_rw;       /* ... and writable */
    bool writable;      /* the memfd was handed out writable: stores may come */
    size_t size;        /* of the memfd: the file's size */
    size_t made_size;   /* the file's size when the memfd was filled */
    uint64_t memfd_ino; /* how the guest's /proc/<pid>/maps names it */
    pid_t users[MAX_USERS];
    int nusers;
    bool pinned; /* more users than we track: kept until kbox exits */
    /* Per page of the memfd, a hash of its bytes when they were last
     * known to be lx's (0: not known), in leaves of CLEAN_LEAF pages
     * allocated as pages are written back: see write_back_range. */
    uint64_t **clean;
    size_t nleaves;
    struct shmap *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct shmap *maps;
static atomic_int nmaps;
/*
 * Bumped twice for each map made: odd while its memfd is being filled.
 * A change that found no map (so took no lock) looks again after it,
 * when a map was made meanwhile (see kbox_lx_change).
 */
static atomic_ulong map_epoch;
/* Maps handed out writable: only their files' reads need the memfd, so
 * with none a read costs no lookup (no lx fstat) at all. */
static atomic_int nwritable;
/*
 * Changes lx makes to a file without a map run without the lock, and a
 * map made meanwhile must not read the file before they land: its memfd
 * would lack them until their late refill, and a write-back in between
 * (a mapper's exit) put the stale page over them (203-append-map-churn
 * lost appended records under load). So such changes are counted while
 * in lx, and a map's making waits for the count to drain first. A change
 * that blocks in lx (a FIFO) is not waited for past UNLOCKED_WAIT_NS:
 * the fill then counts as unwaited, and changes in flight refill late.
 * They are counted by the unwaited_fills they began under, so later
 * makings wait only for the changes begun since: one count for all made
 * every making wait the full UNLOCKED_WAIT_NS for as long as a FIFO
 * writer stayed blocked (a shell's `> fifo` waiting for a reader: 51 ms
 * a first mapping instead of 0.6).
 */
#define UNLOCKED_WAIT_NS 50000000L
#define UNLOCKED_GENS    64
static atomic_ulong unwaited_fills;
static atomic_int unlocked_changes[UNLOCKED_GENS];

static long holder_call(long nr, long a0, long a1, long a2, long a3)
{
    long a[6] = { a0, a1, a2, a3, 0, 0 };

    return lx_task_syscall(kbox_sup.holder, nr, a);
}

#define PAGE       4096
#define CLEAN_LEAF 512 /* pages: 2 MiB of file per leaf */

/*
 * A 64-bit hash of a page. Four lanes of (state ^ word) * odd constant,
 * then a rotation: for fixed other words each step is a bijection of
 * the word, so a change confined to one lane always changes the hash;
 * the lanes are chained through another bijection at the end. Never 0.
 */
static uint64_t page_hash(const unsigned char *p, size_t n)
{
    const uint64_t k = 0x9e3779b97f4a7c15ull;
    uint64_t l[4] = { n, 0x243f6a8885a308d3ull, 0x13198a2e03707344ull,
                      0xa4093822299f31d0ull };
    size_t i = 0;

    for (; i + 32 <= n; i += 32)
        for (int j = 0; j < 4; j++) {
            uint64_t w;

            memcpy(&w, p + i + 8 * j, 8);
            l[j] = (l[j] ^ w) * k;
            l[j] = l[j] << 31 | l[j] >> 33;
        }
    for (; i < n; i++)
        l[0] = ((l[0] ^ p[i]) * k) ^ (l[0] >> 29);
    uint64_t h = 0;

    for (int j = 0; j < 4; j++) {
        h ^= l[j];
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdull;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53ull;
        h ^= h >> 33;
    }
    return h ? h : 1;
}

static uint64_t clean_get(const struct shmap *m, size_t pg)
{
    size_t l = pg / CLEAN_LEAF;

    return l < m->nleaves && m->clean[l] ? m->clean[l][pg % CLEAN_LEAF] : 0;
}

/* Remember page @pg's hash @h; without memory it stays unknown (safe:
 * an unknown page is compared with lx's bytes). */
static void clean_set(struct shmap *m, size_t pg, uint64_t h)
{
    size_t l = pg / CLEAN_LEAF;

    if (l >= m->nleaves) {
        size_t n = l + 1 > 2 * m->nleaves ? l + 1 : 2 * m->nleaves;
        uint64_t **v = realloc(m->clean, n * sizeof(*v));

        if (!v)
            return;
        memset(v + m->nleaves, 0, (n - m->nleaves) * sizeof(*v));
        m->clean = v;
        m->nleaves = n;
    }
    if (!m->clean[l] && !(m->clean[l] = calloc(CLEAN_LEAF, sizeof(uint64_t))))
        return;
    m->clean[l][pg % CLEAN_LEAF] = h;
}

/* The pages overlapping bytes [from, to) are no longer known to be lx's
 * (the memfd was refilled there, or cut). */
static void clean_forget(struct shmap *m, size_t from, size_t to)
{
    size_t first = from / PAGE, last;

    if (to <= from || first / CLEAN_LEAF >= m->nleaves)
        return;
    last = (to - 1) / PAGE;
    if (last / CLEAN_LEAF >= m->nleaves)
        last = m->nleaves * CLEAN_LEAF - 1;
    for (size_t pg = first; pg <= last;) {
        size_t l = pg / CLEAN_LEAF, end = (l + 1) * CLEAN_LEAF - 1;

        if (!m->clean[l]) {
            pg = end + 1;
        } else if (pg % CLEAN_LEAF == 0 && end <= last) {
            free(m->clean[l]);
            m->clean[l] = NULL;
            pg = end + 1;
        } else {
            m->clean[l][pg % CLEAN_LEAF] = 0;
            pg++;
        }
    }
}

bool kbox_shmap_any(void)
{
    return atomic_load_explicit(&nmaps, memory_order_relaxed) > 0;
}

/* A map is being made (epoch odd, lock held): let the unlocked changes
 * in lx land before the file is read. */
static void wait_unlocked(void)
{
    /* only the changes begun since the last fill that stopped waiting */
    atomic_int *n =
        &unlocked_changes[atomic_load(&unwaited_fills) % UNLOCKED_GENS];
    struct timespec t0, t;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; atomic_load(n) > 0; i++) {
        if (i < 32) {
            sched_yield();
            continue;
        }
        clock_gettime(CLOCK_MONOTONIC, &t);
        if ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) >
            UNLOCKED_WAIT_NS) {
            atomic_fetch_add(&unwaited_fills, 1);
            return;
        }
        nanosleep(&(struct timespec){ 0, 20000 }, NULL);
    }
}

/*
 * Count a change of a file that has no map as unlocked (true), unless a
 * map's making began since @epoch was read (false: look for the map
 * again). @unwaited gets the count of fills that did not wait, taken
 * before the change: see unlocked_end.
 */
static bool unlocked_begin(unsigned long epoch, unsigned long *unwaited)
{
    if (epoch & 1) {
        /* being made: wait for it to be done (it holds the lock) */
        pthread_mutex_lock(&lock);
        pthread_mutex_unlock(&lock);
        return false;
    }
    *unwaited = atomic_load(&unwaited_fills);
    atomic_fetch_add(&unlocked_changes[*unwaited % UNLOCKED_GENS], 1);
    if (atomic_load(&map_epoch) == epoch)
        return true;
    atomic_fetch_sub(&unlocked_changes[*unwaited % UNLOCKED_GENS], 1);
    return false;
}

/* The change is done: true when a map made meanwhile may have been
 * filled without it (it needs a late refill). */
static bool unlocked_end(unsigned long unwaited)
{
    atomic_fetch_sub(&unlocked_changes[unwaited % UNLOCKED_GENS], 1);
    return atomic_load(&unwaited_fills) != unwaited;
}

static struct shmap *find(uint64_t dev, uint64_t ino)
{
    for (struct shmap *m = maps; m; m = m->next)
        if (m->dev == dev && m->ino == ino)
            return m;
    return NULL;
}

bool kbox_shmap_has(uint64_t dev, uint64_t ino)
{
    bool has;

    if (!kbox_shmap_any())
        return false;
    pthread_mutex_lock(&lock);
    has = find(dev, ino) != NULL;
    pthread_mutex_unlock(&lock);
    return has;
}

/* Copy bytes [from, to) of the file into the memfd (lock held). */
#define FILL_CHUNK (256 * 1024)
/* lx's bytes on their way into the memfd (lock held: one fill at a time) */
static char fillbuf[FILL_CHUNK];

/*
 * The pages wholly in [off, off + n), just copied from lx (in fillbuf),
 * and the last page of the file (@eof) when it starts there, are lx's:
 * their hashes make write-back skip them until a store changes them. A
 * page the guest never stored into is then never written back, even
 * when lx has changed it since without kbox refilling the memfd yet (a
 * writer that found no map: its late refill is after its write, and a
 * write-back in between put the stale page over the new records).
 * Hashed from the copy, not the memfd: a store landing after the copy
 * would be taken for lx's and lost.
 */
static void filled_clean(struct shmap *m, size_t off, size_t n, size_t eof)
{
    for (size_t ps = (off + PAGE - 1) / PAGE * PAGE; ps < off + n; ps += PAGE) {
        size_t end = ps + PAGE;

        if (end > off + n && !(end > eof && off + n >= eof))
            break; /* partly filled: stays unknown */
        if (end > eof)
            end = eof;
        clean_set(m, ps / PAGE,
                  page_hash((unsigned char *)fillbuf + (ps - off), end - ps));
    }
}

static int fill(struct shmap *m, size_t from, size_t to)
{
    char *map;
    size_t off = from, eof;
    struct stat st;
    long pos;

    if (to <= from)
        return 0;
    clean_forget(m, from, to);
    eof = fstat(m->memfd, &st) == 0 ? (size_t)st.st_size : 0;
    map = mmap(NULL, to, PROT_READ | PROT_WRITE, MAP_SHARED, m->memfd, 0);
    if (map == MAP_FAILED)
        return -ENOMEM;
    /*
     * m->held once shared its open file description (and so its offset)
     * with the guest's fd: the SEEK_DATA/SEEK_HOLE probes below moved the
     * guest's offset to the end of the file, and glibc's gconv cache
     * loader, reading the file after a failed mmap, read 0 for ever.
     * Kept, as it costs little.
     */
    pos = holder_call(LX__NR_lseek, m->held, 0, SEEK_CUR, 0);
    /*
     * Only the file's data is copied; its holes are punched in the memfd
     * (zeros, no pages): a first shared mapping of a 2 GiB sparse file
     * took 2 GiB of host memory and 10 s, and a refresh after lx punched
     * a hole must not keep the old bytes.
     */
    while (off < to) {
        long d = holder_call(LX__NR_lseek, m->held, (long)off, SEEK_DATA, 0);
        long h = (long)to, n;

        if (d == -ENXIO || (d >= 0 && (size_t)d > to))
            d = (long)to; /* no data from here on */
        if (d >= 0 && (size_t)d > off) {
            fallocate(m->memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                      (off_t)off, (off_t)((size_t)d - off));
            off = (size_t)d;
            continue;
        }
        if (d >= 0) { /* else no SEEK_DATA there: copy it all */
            h = holder_call(LX__NR_lseek, m->held, (long)off, SEEK_HOLE, 0);
            if (h <= (long)off || (size_t)h > to)
                h = (long)to;
        }
        while (off < (size_t)h) {
            size_t want =
                (size_t)h - off < FILL_CHUNK ? (size_t)h - off : FILL_CHUNK;

            n = holder_call(LX__NR_pread64, m->held, (long)fillbuf, (long)want,
                            (long)off);
            if (n <= 0)
                break;
            memcpy(map + off, fillbuf, (size_t)n);
            filled_clean(m, off, (size_t)n, eof);
            off += (size_t)n;
        }
        if (off < (size_t)h) { /* shorter than it said: the rest is zeros */
            fallocate(m->memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                      (off_t)off, (off_t)(to - off));
            break;
        }
    }
    if (pos >= 0)
        holder_call(LX__NR_lseek, m->held, pos, SEEK_SET, 0);
    munmap(map, to);
    return 0;
}

/*
 * Write the stores in bytes [from, to) of the memfd back to the image
 * (lock held). Only pages that changed are written: a msync or an fsync
 * of a large mapping with a few stores wrote all of it (a page msync'd in
 * a 256 MiB mapping took 40-750 ms, and dirtied the image). A page whose
 * bytes hash as they did when last known to be lx's has no store; one
 * not known (first write-back after a fill) is compared with lx's bytes,
 * which cost a read of the whole range from lx on every msync (fio's
 * mmap engine: 300 ms per msync of a 64 MiB mapping against 3 natively).
 * Each chunk is copied first and that copy is written and hashed, so a
 * store landing meanwhile differs from the hash and is written next time.
 */
#define WB_CHUNK (256 * 1024)
static void write_back_range(struct shmap *m, size_t from, size_t to)
{
    /* under the lock: one write-back at a time, and no allocation to
     * fail (without a copy nothing could be written) */
    static char old[WB_CHUNK], snap[WB_CHUNK];
    struct stat st;
    uint64_t hv[WB_CHUNK / PAGE];
    bool dirty[WB_CHUNK / PAGE];
    size_t size;

    /* Only stores need writing: lx's changes are in the memfd already. */
    if (!m->writable || !m->held_rw || fstat(m->memfd, &st) || st.st_size <= 0)
        return;
    size = (size_t)st.st_size;
    if (size > m->size)
        size = m->size; /* never past the file's end */
    if (to > size)
        to = size;
    from &= ~(size_t)(PAGE - 1);
    if (from >= to)
        return;
    for (size_t off = from, data_end = 0; off < to;) {
        size_t len = to - off < WB_CHUNK ? to - off : WB_CHUNK, have = 0;
        size_t npg;
        bool unknown = false;

        /* Holes of the memfd hold no stores (a store allocates its page)
         * and reading one through the mapping allocates it: a byte
         * pwritten 500 GiB past a mapped file's start made this walk
         * fill the whole sparse range and kbox was OOM-killed. The data
         * extent found is kept: each SEEK_HOLE walks a shmem file's pages
         * up to the hole, which per chunk was most of a msync's time. */
        if (off >= data_end) {
            off_t d = lseek(m->memfd, (off_t)off, SEEK_DATA), h;

            if (d < 0 && errno == ENXIO)
                break; /* no data from here on */
            if (d > (off_t)off) {
                off = (size_t)d & ~(size_t)(PAGE - 1);
                continue;
            }
            h = d == (off_t)off ? lseek(m->memfd, (off_t)off, SEEK_HOLE) : -1;
            data_end = h > (off_t)off ? (size_t)h : to;
        }
        if (len > data_end - off)
            len = data_end - off;
        /* the copy: pread, not a mapping (its page faults cost more) */
        for (have = 0; have < len;) {
            ssize_t n =
                pread(m->memfd, snap + have, len - have, (off_t)(off + have));

            if (n <= 0)
                break;
            have += (size_t)n;
        }
        if (have < len)
            memset(snap + have, 0, len - have); /* cut meanwhile */
        have = 0;
        npg = (len + PAGE - 1) / PAGE;
        for (size_t i = 0; i < npg; i++) {
            size_t n = len - i * PAGE < PAGE ? len - i * PAGE : PAGE;
            uint64_t k = clean_get(m, off / PAGE + i);

            hv[i] = page_hash((unsigned char *)snap + i * PAGE, n);
            dirty[i] = k != hv[i];
            unknown |= !k;
        }
        /* lx's bytes here for pages not known; where they cannot be
         * read, all differ */
        while (unknown && have < len) {
            long n = holder_call(LX__NR_pread64, m->held, (long)(old + have),
                                 (long)(len - have), (long)(off + have));
            if (n <= 0)
                break;
            have += (size_t)n;
        }
        for (size_t i = 0; unknown && i < npg; i++) {
            size_t q = i * PAGE, e = q + PAGE < len ? q + PAGE : len;

            if (!clean_get(m, off / PAGE + i))
                dirty[i] = !(e <= have && !memcmp(snap + q, old + q, e - q));
        }
        /* runs of changed pages, [i, j), one pwrite each */
        for (size_t i = 0; i < npg;) {
            size_t j = i, w, end;

            while (j < npg && dirty[j])
                j++;
            end = j * PAGE < len ? j * PAGE : len;
            for (w = i * PAGE; w < end;) {
                /*
                 * RWF_NOAPPEND: when m->held shared the guest's open
                 * file description, after its fcntl(F_SETFL, O_APPEND)
                 * a pwrite appended the pages at the file's end instead
                 * (the stores were lost, the file grew by copies).
                 */
                struct iovec v = { snap + w, end - w };
                long a[6] = { m->held,         (long)&v, 1,
                              (long)(off + w), 0,        RWF_NOAPPEND };
                long n = lx_task_syscall(kbox_sup.holder, LX__NR_pwritev2, a);

                if (n <= 0)
                    break;
                w += (size_t)n;
            }
            /* written, or equal to lx's: known now; a page the write did
             * not finish stays unknown (compared next time) */
            for (size_t k = i; k < j; k++)
                clean_set(m, off / PAGE + k,
                          (k + 1) * PAGE <= w || end <= w ? hv[k] : 0);
            if (j == i)
                clean_set(m, off / PAGE + j++, hv[i]);
            i = j;
        }
        off += len;
    }
}

/* Write the memfd's stores back to the image (lock held). */
static void write_back(struct shmap *m)
{
    write_back_range(m, 0, SIZE_MAX);
}

static void add_user(struct shmap *m, pid_t tgid)
{
    for (int i = 0; i < m->nusers; i++)
        if (m->users[i] == tgid)
            return;
    if (m->nusers < MAX_USERS)
        m->users[m->nusers++] = tgid;
    else
        m->pinned = true;
}

static void drop(struct shmap *m)
{
    struct shmap **pp;

    for (pp = &maps; *pp; pp = &(*pp)->next) {
        if (*pp == m) {
            *pp = m->next;
            break;
        }
    }
    close(m->memfd);
    holder_call(LX__NR_close, m->held, 0, 0, 0);
    if (m->writable)
        atomic_fetch_sub(&nwritable, 1);
    clean_forget(m, 0, SIZE_MAX);
    free(m->clean);
    free(m);
    atomic_fetch_sub(&nmaps, 1);
}

/* Does process @tgid map the memfd, or hold it at one of its fds (but
 * @skipfd)? When its /proc cannot be read, assume it does. */
static bool proc_uses(pid_t tgid, uint64_t memfd_ino, int skipfd)
{
    char path[64], line[512];
    struct dirent *d;
    bool uses = false;
    FILE *f;
    DIR *dir;

    snprintf(path, sizeof(path), "/proc/%d/maps", (int)tgid);
    f = fopen(path, "re");
    if (!f)
        return true;
    while (!uses && fgets(line, sizeof(line), f)) {
        unsigned long long ino;

        if (sscanf(line, "%*x-%*x %*s %*x %*s %llu", &ino) == 1 &&
            ino == memfd_ino)
            uses = true;
    }
    fclose(f);
    if (uses)
        return true;
    snprintf(path, sizeof(path), "/proc/%d/fd", (int)tgid);
    dir = opendir(path);
    if (!dir)
        return true;
    while (!uses && (d = readdir(dir))) {
        struct stat st;

        if (d->d_name[0] != '.' && atoi(d->d_name) != skipfd &&
            fstatat(dirfd(dir), d->d_name, &st, 0) == 0 &&
            st.st_ino == memfd_ino && S_ISREG(st.st_mode))
            uses = true;
    }
    closedir(dir);
    return uses;
}

/*
 * Drop the maps of files that were unlinked and that no process maps or
 * holds any more (lock held). Without this the held lx fd keeps every
 * such inode - and its blocks - until the process that mapped it ends:
 * SQLite deletes -shm at each last close of a WAL database, and a
 * process that opens and closes one in a loop filled the disk (ENOSPC,
 * SQLITE_IOERR_SHMSIZE) after ~8000 cycles in a 256 MiB /tmp.
 */
static void gc_unlinked_of(const struct kbox_gstat *last)
{
    for (struct shmap *m = maps, *next; m; m = next) {
        struct kbox_gstat g;
        bool used = false;

        next = m->next;
        if (last && (m->dev != last->st_dev || m->ino != last->st_ino))
            continue;
        if (m->pinned || !m->memfd_ino ||
            holder_call(LX__NR_fstat, m->held, (long)&g, 0, 0) != 0 ||
            g.st_nlink > (last ? 1u : 0u))
            continue;
        /* a dup kbox_shmap_map handed out is in kbox until the guest
         * has it at its fd (then in the guest until it maps it) */
        used = proc_uses(getpid(), m->memfd_ino, m->memfd);
        for (int i = 0; i < m->nusers && !used; i++)
            used = proc_uses(m->users[i], m->memfd_ino, -1);
        if (used)
            continue;
        write_back(m);
        drop(m);
    }
}

static void gc_unlinked(void)
{
    gc_unlinked_of(NULL);
}

/*
 * kbox's own open of the file at the guest's lx fd @lxfd, in the holder:
 * with the guest's open file, inotify reported kbox's fills and write-
 * backs as the guest's IN_ACCESS and IN_MODIFY, and the guest's close
 * made no IN_CLOSE_WRITE while kbox held it.
 */
static long held_open(struct kbox_req *r, int lxfd)
{
    return lx_task_getfd(kbox_sup.holder, r->task, lxfd,
                         LX_O_CLOEXEC | LX_GETFD_QUIET);
}

void kbox_shmap_unlinked(void)
{
    if (!kbox_shmap_any())
        return;
    pthread_mutex_lock(&lock);
    gc_unlinked();
    pthread_mutex_unlock(&lock);
}

void kbox_shmap_unlinking(struct kbox_req *r, long dirfd, const char *path)
{
    struct kbox_gstat g;

    if (!kbox_shmap_any() ||
        kbox_lx(r, LX__NR_newfstatat, dirfd, (long)path, (long)&g,
                AT_SYMLINK_NOFOLLOW, 0, 0) != 0 ||
        !S_ISREG(g.st_mode) || g.st_nlink != 1)
        return;
    pthread_mutex_lock(&lock);
    gc_unlinked_of(&g);
    pthread_mutex_unlock(&lock);
}

int kbox_shmap_map(struct kbox_req *r, int lxfd, const struct kbox_gstat *g,
                   bool create, bool rdwr)
{
    struct shmap *m;
    size_t size = g->st_size > 0 ? (size_t)g->st_size : 0;
    int fd;

    pthread_mutex_lock(&lock);
    m = find(g->st_dev, g->st_ino);
    if (!m) {
        if (!create || !kbox_sup.holder) {
            pthread_mutex_unlock(&lock);
            return create ? -ENODEV : -ENOENT;
        }
        gc_unlinked();
        m = calloc(1, sizeof(*m));
        if (!m) {
            pthread_mutex_unlock(&lock);
            return -ENOMEM;
        }
        /*
         * Writers that found no map write without the lock: the size
         * and the bytes are taken after the epoch says a map is being
         * made, and a write that overlaps that sees the epoch move.
         */
        atomic_fetch_add(&map_epoch, 1);
        wait_unlocked();
        {
            struct kbox_gstat now;

            if (kbox_lx(r, LX__NR_fstat, lxfd, (long)&now, 0, 0, 0, 0) == 0)
                size = now.st_size > 0 ? (size_t)now.st_size : 0;
        }
        m->dev = g->st_dev;
        m->ino = g->st_ino;
        m->memfd = memfd_create("kbox-shared", MFD_CLOEXEC);
        m->held = held_open(r, lxfd);
        m->held_rw = rdwr;
        if (m->memfd < 0 || m->held < 0 || ftruncate(m->memfd, (off_t)size) ||
            fill(m, 0, size)) {
            int e = m->held < 0 ? (int)m->held : -ENOMEM;

            if (m->memfd >= 0)
                close(m->memfd);
            if (m->held >= 0)
                holder_call(LX__NR_close, m->held, 0, 0, 0);
            free(m);
            atomic_fetch_add(&map_epoch, 1);
            pthread_mutex_unlock(&lock);
            return e;
        }
        m->size = size;
        m->made_size = size;
        {
            struct stat st;

            m->memfd_ino = fstat(m->memfd, &st) ? 0 : st.st_ino;
        }
        m->next = maps;
        maps = m;
        atomic_fetch_add(&nmaps, 1);
        atomic_fetch_add(&map_epoch, 1);
    } else if (size > m->size) {
        /* Grown through lx behind our back: bring the new range in. */
        if (ftruncate(m->memfd, (off_t)size) == 0 &&
            fill(m, m->size, size) == 0)
            m->size = size;
    }
    if (rdwr && !m->held_rw) {
        /* Stores may come now: write-back needs a writable lx fd. */
        long held = held_open(r, lxfd);

        if (held < 0) {
            pthread_mutex_unlock(&lock);
            return (int)held;
        }
        holder_call(LX__NR_close, m->held, 0, 0, 0);
        m->held = held;
        m->held_rw = true;
    }
    add_user(m, r->proc->tgid);
    if (rdwr) {
        if (!m->writable)
            atomic_fetch_add(&nwritable, 1);
        m->writable = true;
        fd = fcntl(m->memfd, F_DUPFD_CLOEXEC, 0);
    } else {
        char self[64];

        snprintf(self, sizeof(self), "/proc/self/fd/%d", m->memfd);
        fd = open(self, O_RDONLY | O_CLOEXEC);
    }
    pthread_mutex_unlock(&lock);
    return fd < 0 ? -errno : fd;
}

/*
 * The map of the inode behind lx fd @lxfd, locked, with the file's stat in
 * @g; NULL (nothing locked) when the inode is not mapped shared.
 */
static struct shmap *lock_fd(struct kbox_req *r, int lxfd, struct kbox_gstat *g)
{
    struct shmap *m;

    if (!kbox_shmap_any() ||
        kbox_lx(r, LX__NR_fstat, lxfd, (long)g, 0, 0, 0, 0) != 0 ||
        !S_ISREG(g->st_mode))
        return NULL;
    pthread_mutex_lock(&lock);
    m = find(g->st_dev, g->st_ino);
    if (!m)
        pthread_mutex_unlock(&lock);
    return m;
}

/* The memfd takes the file's size @size (lock held). */
static void set_size(struct shmap *m, long long size)
{
    if (size >= 0 && (size_t)size != m->size) {
        size_t old = m->size, tail = (old + PAGE - 1) / PAGE * PAGE;

        /* the pages past the shorter end change (cut or zero-filled) */
        clean_forget(m, (size_t)size < m->size ? (size_t)size : m->size,
                     SIZE_MAX);
        if (ftruncate(m->memfd, (off_t)size) != 0)
            return;
        m->size = (size_t)size;
        /*
         * Stores past the old end, in its last page, are not the file's:
         * Linux zeroes them when the file grows over them
         * (pagecache_isize_extended), but a memfd keeps them, and they
         * came back with the growth. Before a refill of what grew it.
         */
        if ((size_t)size < tail)
            tail = (size_t)size;
        if (tail > old)
            fallocate(m->memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                      (off_t)old, (off_t)(tail - old));
    }
}

/* Does change @nr append: O_APPEND (@fl, from F_GETFL), or pwritev2's
 * RWF_APPEND/RWF_NOAPPEND (@a5) for one call? */
static bool appends(long nr, long fl, long a5)
{
    if (nr == LX__NR_pwritev2 && (a5 & RWF_APPEND))
        return true;
    if (nr == LX__NR_pwritev2 && (a5 & RWF_NOAPPEND))
        return false;
    return fl >= 0 && (fl & O_APPEND) && nr != LX__NR_fallocate &&
           nr != LX__NR_ftruncate;
}

/*
 * After change @nr (result @rc) of the file, whose size is now @size, bring
 * the bytes it changed into @m's memfd (lock held). @from is where a write
 * started (-1: an append, which landed at the end lx had when it wrote; the
 * size lock_fd read before taking the lock need not be that: with two
 * appenders the second refilled the first's range and its own stayed zeros
 * in the memfd, which write-back put over the appended records).
 */
static void refill_changed(struct shmap *m, long nr, long long from, long rc,
                           long long size, long a1, long a2, long a3)
{
    long long to;

    set_size(m, size);
    if (nr == LX__NR_fallocate) {
        /* a3 is the length. Allocating changes no byte: refilling
         * would drop the map's stores (Go's linker lost its output).
         * A hole or zeroed range changes its bytes; collapse/insert
         * move the whole tail. */
        from = a2;
        if (a1 & (FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_INSERT_RANGE))
            to = size;
        else if (a1 & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE))
            to = a2 + a3;
        else
            to = from;
    } else {
        if (from < 0)
            from = size - rc;
        to = from >= 0 ? from + rc : -1;
    }
    if (to > size)
        to = size;
    if (from >= 0 && to > from)
        fill(m, (size_t)from, (size_t)to);
}

/*
 * A change that found no map of its file, and so ran without the lock,
 * while a map of some file was made without waiting for it (it blocked
 * in lx past UNLOCKED_WAIT_NS): if that was this file's, its memfd may
 * hold the bytes from before the change, which write-back would later
 * put over it.
 * Where the bytes went is worked out as for a locked change; a write at
 * the fd's offset started where that offset is less what was written.
 */
static void late_refill(struct kbox_req *r, int lxfd, long long at, long nr,
                        long rc, long a1, long a2, long a3, long a5)
{
    struct kbox_gstat g;
    struct shmap *m;
    long long from;

    /* not lock_fd(): it skips the lock while no map is in the list, as
     * during the very making of a map this change overlapped */
    if (kbox_lx(r, LX__NR_fstat, lxfd, (long)&g, 0, 0, 0, 0) != 0 ||
        !S_ISREG(g.st_mode))
        return;
    pthread_mutex_lock(&lock);
    m = find(g.st_dev, g.st_ino);
    if (!m) {
        pthread_mutex_unlock(&lock);
        return;
    }
    /* the size the change left, now that the map's making is over */
    kbox_lx(r, LX__NR_fstat, lxfd, (long)&g, 0, 0, 0, 0);
    if (appends(nr, kbox_lx(r, LX__NR_fcntl, lxfd, F_GETFL, 0, 0, 0, 0), a5))
        from = -1;
    else if (at >= 0)
        from = at;
    else if (nr == LX__NR_ftruncate)
        from = 0;
    else
        from = kbox_lx(r, LX__NR_lseek, lxfd, 0, SEEK_CUR, 0, 0, 0) - rc;
    if (nr == LX__NR_ftruncate) {
        /* its new bytes (or none) are zeros: the memfd's size is all */
        set_size(m, g.st_size);
    } else if (from == -1 && rc > 0) {
        /*
         * An append: other appenders may have followed it, so the end
         * less what it wrote need not be where it landed; all from where
         * the map's filling stopped (or from that, if earlier) is
         * refilled.
         */
        from = g.st_size - rc;
        if ((long long)m->made_size < from)
            from = (long long)m->made_size;
        set_size(m, g.st_size);
        if (from >= 0 && g.st_size > from)
            fill(m, (size_t)from, (size_t)g.st_size);
    } else if (from >= 0) {
        refill_changed(m, nr, from, rc, g.st_size, a1, a2, a3);
    }
    pthread_mutex_unlock(&lock);
}

long kbox_lx_change(struct kbox_req *r, int lxfd, long long at, long nr,
                    long a0, long a1, long a2, long a3, long a4, long a5)
{
    struct kbox_gstat g;
    struct shmap *m;
    long long from;
    long rc, fl;

    for (;;) {
        unsigned long epoch = atomic_load(&map_epoch), unwaited;

        m = lock_fd(r, lxfd, &g);
        if (m)
            break;
        if (!unlocked_begin(epoch, &unwaited))
            continue;
        rc = kbox_lx(r, nr, a0, a1, a2, a3, a4, a5);
        if (unlocked_end(unwaited) && rc >= 0)
            late_refill(r, lxfd, at, nr, rc, a1, a2, a3, a5);
        return rc;
    }
    /* Where the bytes will land: an O_APPEND file appends even pwrite's,
     * and pwritev2's RWF_APPEND/RWF_NOAPPEND (a5) decide for one call. */
    fl = kbox_lx(r, LX__NR_fcntl, lxfd, F_GETFL, 0, 0, 0, 0);
    if (appends(nr, fl, a5))
        from = -1; /* known after the write */
    else if (at >= 0)
        from = at;
    else
        from = kbox_lx(r, LX__NR_lseek, lxfd, 0, SEEK_CUR, 0, 0, 0);
    /* Collapse/insert move the stores not yet written back with the rest
     * of the file: lx must have them first. */
    if (nr == LX__NR_fallocate &&
        (a1 & (FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_INSERT_RANGE)))
        write_back(m);
    rc = kbox_lx(r, nr, a0, a1, a2, a3, a4, a5);
    if (rc >= 0 && kbox_lx(r, LX__NR_fstat, lxfd, (long)&g, 0, 0, 0, 0) == 0)
        refill_changed(m, nr, from, rc, g.st_size, a1, a2, a3);
    pthread_mutex_unlock(&lock);
    return rc;
}

long kbox_shmap_pread(struct kbox_req *r, int lxfd, void *buf, size_t n,
                      const long long *at)
{
    struct kbox_gstat g;
    struct shmap *m;
    long long pos;
    long rc;

    if (atomic_load_explicit(&nwritable, memory_order_relaxed) == 0)
        return -ENOENT;
    m = lock_fd(r, lxfd, &g);
    if (!m)
        return -ENOENT;
    if (!m->writable) {
        pthread_mutex_unlock(&lock);
        return -ENOENT; /* no stores: lx has every byte */
    }
    /* lx checks the descriptor (O_WRONLY: EBADF) and offset (EINVAL). */
    rc = at ? kbox_lx(r, LX__NR_pread64, lxfd, (long)buf, 0, (long)*at, 0, 0)
            : kbox_lx(r, LX__NR_read, lxfd, (long)buf, 0, 0, 0, 0);
    pos = at ? *at : kbox_lx(r, LX__NR_lseek, lxfd, 0, SEEK_CUR, 0, 0, 0);
    if (rc == 0 && pos < 0)
        rc = pos;
    if (rc == 0 && pos < g.st_size) {
        if (n > (size_t)(g.st_size - pos))
            n = (size_t)(g.st_size - pos);
        rc = pread(m->memfd, buf, n, (off_t)pos);
        if (rc < 0)
            rc = -errno;
        else if (!at)
            kbox_lx(r, LX__NR_lseek, lxfd, (long)(pos + rc), SEEK_SET, 0, 0, 0);
        if (rc > 0) {
            /* a byte through lx: the read's IN_ACCESS and atime (lx's
             * empty read above makes neither) */
            char one;

            kbox_lx(r, LX__NR_pread64, lxfd, (long)&one, 1, (long)pos, 0, 0);
        }
    }
    /* a read at the end: atime only, as Linux's (no IN_ACCESS) */
    if (rc == 0 && n)
        lx_task_getfd(r->task, r->task, lxfd, LX_GETFD_ACCESSED);
    pthread_mutex_unlock(&lock);
    return rc;
}

void kbox_shmap_resize(uint64_t dev, uint64_t ino, long long len)
{
    struct shmap *m;

    if (!kbox_shmap_any() || len < 0)
        return;
    pthread_mutex_lock(&lock);
    m = find(dev, ino);
    if (m)
        set_size(m, len);
    pthread_mutex_unlock(&lock);
}

bool kbox_shmap_hold(struct kbox_req *r, long dirfd, const char *path,
                     int atflags, struct kbox_gstat *g, unsigned long *gen)
{
    *gen = 0;
    for (;;) {
        unsigned long epoch = atomic_load(&map_epoch);

        /* looked up again each time: a map made meanwhile is seen */
        if (kbox_shmap_any() &&
            kbox_lx(r, LX__NR_newfstatat, dirfd, (long)path, (long)g, atflags,
                    0, 0) == 0 &&
            S_ISREG(g->st_mode)) {
            pthread_mutex_lock(&lock);
            if (find(g->st_dev, g->st_ino))
                return true;
            pthread_mutex_unlock(&lock);
        }
        /* only the size changes: the caller's kbox_shmap_resize after
         * the release is all a map made meanwhile needs */
        if (unlocked_begin(epoch, gen))
            return false;
    }
}

void kbox_shmap_release(bool held, const struct kbox_gstat *g, long long len,
                        unsigned long gen)
{
    struct shmap *m;

    if (!held) {
        unlocked_end(gen);
        return;
    }
    m = find(g->st_dev, g->st_ino);
    if (m && len >= 0)
        set_size(m, len);
    pthread_mutex_unlock(&lock);
}

void kbox_shmap_sync_fd(struct kbox_req *r, int lxfd)
{
    struct kbox_gstat g;
    struct shmap *m = lock_fd(r, lxfd, &g);

    if (!m)
        return;
    write_back(m);
    pthread_mutex_unlock(&lock);
}

bool kbox_shmap_before_stat(uint64_t dev, uint64_t ino)
{
    struct shmap *m;
    bool wrote = false;

    if (!kbox_shmap_any())
        return false;
    pthread_mutex_lock(&lock);
    m = find(dev, ino);
    if (m && m->writable) {
        write_back(m);
        wrote = true;
    }
    pthread_mutex_unlock(&lock);
    return wrote;
}

long kbox_shmap_fstat(struct kbox_req *r, int lxfd, struct kbox_gstat *g)
{
    long rc = kbox_lx(r, LX__NR_fstat, lxfd, (long)g, 0, 0, 0, 0);

    if (rc == 0 && S_ISREG(g->st_mode) &&
        kbox_shmap_before_stat(g->st_dev, g->st_ino))
        rc = kbox_lx(r, LX__NR_fstat, lxfd, (long)g, 0, 0, 0, 0);
    return rc;
}

/*
 * Natively a shared mapping keeps its file open for writing only while
 * it exists (a store through it meant an O_RDWR file: ETXTBSY for exec);
 * kbox's held fd stayed writable until the last process that once mapped
 * it ended, so a process that wrote a program or script through a map,
 * unmapped it and ran it met ETXTBSY, and the copy exec took from lx
 * would have missed the stores.
 */
bool kbox_shmap_let_go(uint64_t dev, uint64_t ino)
{
    struct shmap *m;
    bool used = true;

    if (!kbox_shmap_any())
        return false;
    pthread_mutex_lock(&lock);
    m = find(dev, ino);
    if (m && m->held_rw && !m->pinned && m->memfd_ino) {
        /* a dup kbox_shmap_map handed out may still be on its way */
        used = proc_uses(getpid(), m->memfd_ino, m->memfd);
        for (int i = 0; i < m->nusers && !used; i++)
            used = proc_uses(m->users[i], m->memfd_ino, -1);
        if (!used) {
            write_back(m);
            drop(m);
        }
    }
    pthread_mutex_unlock(&lock);
    return !used;
}

static bool has_user(const struct shmap *m, pid_t tgid)
{
    for (int i = 0; i < m->nusers; i++)
        if (m->users[i] == tgid)
            return true;
    return false;
}

void kbox_shmap_sync_proc(pid_t tgid)
{
    if (!kbox_shmap_any())
        return;
    pthread_mutex_lock(&lock);
    for (struct shmap *m = maps; m; m = m->next)
        if (m->pinned || has_user(m, tgid))
            write_back(m);
    pthread_mutex_unlock(&lock);
}

/*
 * msync(MS_SYNC) of [addr, addr + len) in process @tgid: the stores in
 * the shared image mappings in that range reach the image. The guest's
 * mappings of a memfd are found in its /proc/<pid>/maps by the memfd's
 * inode, with the file offset they start at.
 */
void kbox_shmap_msync(pid_t tgid, uint64_t addr, uint64_t len)
{
    char path[64], line[512];
    uint64_t end = addr + len;
    FILE *f;

    if (!kbox_shmap_any())
        return;
    snprintf(path, sizeof(path), "/proc/%d/maps", (int)tgid);
    f = fopen(path, "re");
    if (!f) {
        kbox_shmap_sync_proc(tgid);
        return;
    }
    while (fgets(line, sizeof(line), f)) {
        unsigned long long lo, hi, off, ino;
        int name = 0;

        if (sscanf(line, "%llx-%llx %*s %llx %*s %llu %n", &lo, &hi, &off, &ino,
                   &name) < 4 ||
            !name || strncmp(line + name, "/memfd:kbox-shared", 18) ||
            hi <= addr || lo >= end)
            continue;
        pthread_mutex_lock(&lock);
        for (struct shmap *m = maps; m; m = m->next) {
            if (m->memfd_ino != ino)
                continue;
            uint64_t a = lo > addr ? lo : addr, b = hi < end ? hi : end;

            write_back_range(m, (size_t)(off + (a - lo)),
                             (size_t)(off + (b - lo)));
        }
        pthread_mutex_unlock(&lock);
    }
    fclose(f);
}

void kbox_shmap_inherit(pid_t parent, pid_t child)
{
    if (!kbox_shmap_any())
        return;
    pthread_mutex_lock(&lock);
    for (struct shmap *m = maps; m; m = m->next)
        if (has_user(m, parent))
            add_user(m, child);
    pthread_mutex_unlock(&lock);
}

void kbox_shmap_proc_gone(pid_t tgid)
{
    if (!kbox_shmap_any())
        return;
    pthread_mutex_lock(&lock);
    for (struct shmap *m = maps, *next; m; m = next) {
        next = m->next;
        if (!has_user(m, tgid))
            continue;
        write_back(m);
        for (int i = 0; i < m->nusers; i++) {
            if (m->users[i] == tgid) {
                m->users[i] = m->users[--m->nusers];
                break;
            }
        }
        if (!m->nusers && !m->pinned)
            drop(m);
    }
    pthread_mutex_unlock(&lock);
}

void kbox_shmap_close_all(void)
{
    pthread_mutex_lock(&lock);
    while (maps) {
        write_back(maps);
        drop(maps);
    }
    pthread_mutex_unlock(&lock);
}
