/* SPDX-License-Identifier: MIT */
/*
 * fsx: a seeded random-operation file tester. It keeps a model of one
 * file's bytes and size and checks every read - read(), pread, readv,
 * shared and private mappings, splice/sendfile sources - against it,
 * while the file is changed through every path kbox keeps coherent:
 * write/pwrite/writev/O_APPEND, ftruncate, fallocate modes,
 * copy_file_range, sendfile and splice, stores into MAP_SHARED
 * mappings (msync MS_SYNC/MS_ASYNC/none, mremap, munmap), reopen,
 * fsync, and a forked child that writes while the parent reads through
 * a shared map (and the reverse), so exit write-back is exercised too.
 *
 * A private mapping made before a change keeps the old bytes under kbox
 * (documented gap); such a mapping is only checked while the file is
 * unchanged since it was made, and only stored to in that window.
 *
 * Usage: fsx [-s SEED] [-n OPS] [-m MAXSIZE] [-o OPMASK] [-T SECS]
 *            [-k] [-v] FILE
 * Prints the seed; on a mismatch the last operations and the first
 * differing offset, and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/falloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum {
    OP_PREAD,
    OP_PWRITE,
    OP_SEEKRW,
    OP_VEC,
    OP_APPEND,
    OP_TRUNC,
    OP_FALLOC,
    OP_COPY,
    OP_SPLICE,
    OP_MAPREAD,
    OP_MAPWRITE,
    OP_MAPNEW,
    OP_PRIVATE,
    OP_MREMAP,
    OP_REOPEN,
    OP_FSYNC,
    OP_SEEKDATA,
    OP_FORK,
    OP_COUNT
};
static const char *opname[OP_COUNT] = {
    "pread",   "pwrite", "seekrw", "vec",     "append",   "trunc",
    "falloc",  "copy",   "splice", "mapread", "mapwrite", "mapnew",
    "private", "mremap", "reopen", "fsync",   "seekdata", "fork",
};
static const int opweight[OP_COUNT] = {
    10, 10, 6, 5, 4, 5, 6, 5, 4, 8, 8, 4, 3, 2, 2, 2, 3, 3,
};

#define PG    4096UL
#define NMAP  4
#define NPRIV 2
#define LOGN  40

static uint64_t rs;
static uint64_t rnd(void)
{
    rs ^= rs >> 12;
    rs ^= rs << 25;
    rs ^= rs >> 27;
    return rs * 2685821657736338717ULL;
}
static size_t rr(size_t n)
{
    return n ? (size_t)(rnd() % n) : 0;
}

static const char *path;
static char path2[4096];
static size_t maxsize;
static unsigned char *good, *good2, *buf;
static size_t fsize, fsize2;
static int fd = -1, afd = -1, fd2 = -1;
static off_t fpos;
static uint64_t gen; /* bumps at every change of the file */
static unsigned long opno;
static int verbose;
static unsigned opmask = ~0u;
static int no_collapse, no_insert, no_zero, no_punch, no_falloc;

struct smap {
    unsigned char *p;
    size_t off, len;
    int wr;
};
static struct smap maps[NMAP];

struct pmap {
    unsigned char *p;
    size_t off, len, vis; /* vis: bytes within the file when made */
    uint64_t gen;
    unsigned char *snap;
    uint64_t dirty; /* pages stored to (COWed), bit per page */
};
static struct pmap pmaps[NPRIV];

static char oplog[LOGN][160];
static void logop(const char *fmt, ...)
{
    va_list ap;
    char *s = oplog[opno % LOGN];
    int n = snprintf(s, 160, "%lu ", opno);
    va_start(ap, fmt);
    vsnprintf(s + n, 160 - n, fmt, ap);
    va_end(ap);
    if (verbose)
        fprintf(stderr, "%s\n", s);
}

static void fail(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "fsx: FAIL at op %lu (size %zu): ", opno, fsize);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nlast operations:\n");
    for (unsigned long i = opno >= LOGN - 1 ? opno - LOGN + 1 : 0; i <= opno;
         i++)
        if (oplog[i % LOGN][0])
            fprintf(stderr, "  %s\n", oplog[i % LOGN]);
    exit(1);
}

static void sysfail(const char *what)
{
    fail("%s: %s", what, strerror(errno));
}

static unsigned char pat(unsigned tag, size_t pos)
{
    uint32_t x = (uint32_t)pos * 2654435761u ^ tag * 40503u;
    unsigned char c = (unsigned char)(x >> 13 ^ x >> 24);
    return c ? c : 1; /* never 0, so SEEK_DATA sees real data */
}

/* Compare got[0..len) with the model at off: first difference fails. */
static void cmp(const char *how, const unsigned char *got,
                const unsigned char *want, size_t off, size_t len)
{
    if (!memcmp(got, want, len))
        return;
    size_t i = 0;
    while (got[i] == want[i])
        i++;
    size_t j = i;
    while (j < len && got[j] != want[j])
        j++;
    fail("%s: first difference at file offset %zu (0x%zx): got 0x%02x "
         "want 0x%02x; %zu bytes differ from there (range %zu+%zu)",
         how, off + i, off + i, got[i], want[i], j - i, off, len);
}

static void bump(void)
{
    gen++;
}

/*
 * Truncation, hole punching, zeroing, collapse and insert unmap even the
 * pages a private mapping copied (Linux's unmap_mapping_range with
 * even_cows): they are no longer the mapping's own, so forget them.
 */
static void drop_private(void)
{
    for (int i = 0; i < NPRIV; i++)
        if (pmaps[i].p) {
            munmap(pmaps[i].p, pmaps[i].len);
            free(pmaps[i].snap);
            pmaps[i].p = NULL;
        }
}

static void setsize(size_t ns)
{
    if (ns < fsize)
        drop_private();
    if (ns < fsize)
        memset(good + ns, 0, fsize - ns);
    fsize = ns;
}

static void put(size_t off, const unsigned char *d, size_t len)
{
    memcpy(good + off, d, len);
    if (off + len > fsize)
        fsize = off + len;
    bump();
}

static void fill(unsigned char *b, size_t off, size_t len, unsigned tag)
{
    for (size_t i = 0; i < len; i++)
        b[i] = pat(tag, off + i);
}

static void check_size(const char *how)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        sysfail("fstat");
    if ((size_t)st.st_size != fsize)
        fail("%s: size %jd, model %zu", how, (intmax_t)st.st_size, fsize);
}

static void check_range(const char *how, size_t off, size_t len)
{
    if (off > fsize)
        return;
    if (off + len > fsize)
        len = fsize - off;
    ssize_t n = pread(fd, buf, len, off);
    if (n < 0)
        sysfail("pread check");
    if ((size_t)n != len)
        fail("%s: pread %zu+%zu gave %zd", how, off, len, n);
    cmp(how, buf, good + off, off, len);
}

static void check_maps(void)
{
    for (int i = 0; i < NMAP; i++) {
        struct smap *m = &maps[i];
        if (!m->p || m->off >= fsize)
            continue;
        size_t len = m->len;
        if (m->off + len > fsize)
            len = fsize - m->off;
        cmp("shared map", m->p, good + m->off, m->off, len);
    }
    for (int i = 0; i < NPRIV; i++) {
        struct pmap *q = &pmaps[i];
        if (!q->p)
            continue;
        for (size_t pg = 0; pg * PG < q->vis; pg++) {
            size_t a = pg * PG, l = q->vis - a < PG ? q->vis - a : PG;
            if (q->dirty & (1ULL << pg))
                cmp("private map (stored page)", q->p + a, q->snap + a,
                    q->off + a, l);
            else if (q->gen == gen && q->off + a < fsize)
                cmp("private map", q->p + a, good + q->off + a, q->off + a,
                    q->off + a + l > fsize ? fsize - q->off - a : l);
        }
    }
}

static void check_all(const char *how)
{
    check_size(how);
    check_range(how, 0, fsize);
    check_maps();
}

static void check_file2(void)
{
    struct stat st;
    if (fstat(fd2, &st) < 0)
        sysfail("fstat 2");
    if ((size_t)st.st_size != fsize2)
        fail("second file: size %jd, model %zu", (intmax_t)st.st_size, fsize2);
    unsigned char *b = malloc(fsize2 + 1);
    if (pread(fd2, b, fsize2, 0) != (ssize_t)fsize2)
        sysfail("pread 2");
    if (memcmp(b, good2, fsize2)) {
        size_t i = 0;
        while (b[i] == good2[i])
            i++;
        fail("second file differs at %zu: got 0x%02x want 0x%02x", i, b[i],
             good2[i]);
    }
    free(b);
}

/* A random range [off, off+len) with off+len <= limit, len >= 1. */
static void pick(size_t limit, size_t maxlen, size_t *off, size_t *len)
{
    if (!limit)
        limit = 1;
    *off = rr(limit);
    size_t l = 1 + rr(maxlen);
    if (rr(4) == 0) { /* page-aligned ranges hit page boundaries */
        *off &= ~(PG - 1);
        l = (l + PG - 1) & ~(PG - 1);
    }
    if (*off + l > limit)
        l = limit - *off;
    *len = l ? l : 1;
    if (*off + *len > limit)
        *off = limit - *len;
}

static size_t maxio(void)
{
    return maxsize / 4 < 65536 ? maxsize / 4 : 65536;
}

static void openfds(void)
{
    fd = open(path, O_RDWR);
    afd = open(path, O_WRONLY | O_APPEND);
    if (fd < 0 || afd < 0)
        sysfail("open");
    fpos = 0;
}

static void unmap_all(void)
{
    for (int i = 0; i < NMAP; i++)
        if (maps[i].p) {
            munmap(maps[i].p, maps[i].len);
            maps[i].p = NULL;
        }
    for (int i = 0; i < NPRIV; i++)
        if (pmaps[i].p) {
            munmap(pmaps[i].p, pmaps[i].len);
            free(pmaps[i].snap);
            pmaps[i].p = NULL;
        }
}

static void newmap(int i)
{
    struct smap *m = &maps[i];
    if (m->p)
        munmap(m->p, m->len);
    m->p = NULL;
    if (!fsize)
        return;
    size_t off, len;
    pick(fsize, maxsize / 2, &off, &len);
    off &= ~(PG - 1);
    len += rr(2) ? 0 : rr(2 * PG); /* sometimes past the end */
    m->wr = rr(3) != 0;
    void *p = mmap(NULL, len, PROT_READ | (m->wr ? PROT_WRITE : 0), MAP_SHARED,
                   fd, off);
    if (p == MAP_FAILED)
        sysfail("mmap shared");
    m->p = p;
    m->off = off;
    m->len = len;
    logop("mapnew %d %zu+%zu %s", i, off, len, m->wr ? "rw" : "ro");
}

static void do_private(void)
{
    int i = rr(NPRIV);
    struct pmap *q = &pmaps[i];
    if (q->p) {
        munmap(q->p, q->len);
        free(q->snap);
        q->p = NULL;
    }
    if (!fsize || rr(4) == 0) {
        logop("private %d unmap", i);
        return;
    }
    size_t off, len;
    pick(fsize, 64 * PG, &off, &len);
    off &= ~(PG - 1);
    if (len > 64 * PG - PG)
        len = 64 * PG - PG;
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, off);
    if (p == MAP_FAILED)
        sysfail("mmap private");
    q->p = p;
    q->off = off;
    q->len = len;
    q->vis = off + len > fsize ? fsize - off : len;
    q->gen = gen;
    q->dirty = 0;
    q->snap = malloc(len);
    memcpy(q->snap, good + off, q->vis);
    logop("private %d %zu+%zu", i, off, len);
    cmp("new private map", q->p, good + off, off, q->vis);
    if (rr(2) && q->vis) { /* store into it: the file must not change */
        size_t a, l;
        pick(q->vis, 2 * PG, &a, &l);
        unsigned tag = rnd();
        fill(q->snap + a, off + a, l, tag);
        memcpy(q->p + a, q->snap + a, l);
        for (size_t pg = a / PG; pg * PG < a + l; pg++)
            q->dirty |= 1ULL << pg;
        logop("private %d store %zu+%zu", i, off + a, l);
        check_range("file after private store", off, q->vis);
    }
}

static void do_fork(void)
{
    if (!fsize)
        return;
    int pa[2], pb[2];
    if (pipe(pa) || pipe(pb))
        sysfail("pipe");
    /* a writable shared map covering the range */
    int mi = -1;
    for (int i = 0; i < NMAP; i++)
        if (maps[i].p && maps[i].wr && maps[i].off < fsize)
            mi = i;
    if (mi < 0) {
        mi = rr(NMAP);
        newmap(mi);
        if (!maps[mi].wr) {
            munmap(maps[mi].p, maps[mi].len);
            maps[mi].p = NULL;
            return;
        }
    }
    struct smap *m = &maps[mi];
    size_t lim = m->off + m->len < fsize ? m->len : fsize - m->off;
    size_t a, l;
    pick(lim, 4 * PG, &a, &l);
    size_t off = m->off + a;
    unsigned tag = rnd();
    int mode = rr(3), sync = rr(3);
    unsigned char *d = malloc(l);
    fill(d, off, l, tag);
    logop("fork mode %d map %d %zu+%zu sync %d", mode, mi, off, l, sync);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        sysfail("fork");
    char c = 0;
    if (pid == 0) {
        close(pa[1]);
        close(pb[0]);
        if (mode == 0) { /* child pwrites, parent reads the map */
            if (pwrite(fd, d, l, off) != (ssize_t)l)
                _exit(2);
        } else if (mode == 1) { /* parent stores, child preads */
            if (read(pa[0], &c, 1) != 1)
                _exit(3);
            unsigned char *b = malloc(l);
            if (pread(fd, b, l, off) != (ssize_t)l || memcmp(b, d, l))
                c = 1;
        } else { /* child stores through the inherited map */
            memcpy(m->p + a, d, l);
            if (sync == 1)
                msync(m->p + (a & ~(PG - 1)), l + (a & (PG - 1)), MS_SYNC);
            else if (sync == 2)
                msync(m->p + (a & ~(PG - 1)), l + (a & (PG - 1)), MS_ASYNC);
        }
        if (write(pb[1], &c, 1) != 1)
            _exit(4);
        _exit(0);
    }
    close(pa[0]);
    close(pb[1]);
    if (mode == 1) {
        memcpy(m->p + a, d, l);
        if (sync == 1)
            msync(m->p + (a & ~(PG - 1)), l + (a & (PG - 1)), MS_SYNC);
        if (write(pa[1], &c, 1) != 1)
            sysfail("pipe write");
    }
    if (read(pb[0], &c, 1) != 1)
        fail("fork child died before answering");
    if (c)
        fail("fork child's pread did not see the parent's map store");
    memcpy(good + off, d, l);
    bump();
    if (mode == 0)
        cmp("map after child's pwrite", m->p + a, d, off, l);
    else if (mode == 2)
        check_range("pread after child's map store", off, l);
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
        fail("fork child status 0x%x", st);
    close(pa[1]);
    close(pb[0]);
    free(d);
    /* after the child's exit (write-back of what it mapped) */
    check_range("pread after child exit", off, l);
    check_maps();
}

static void do_falloc(void)
{
    if (no_falloc)
        return;
    int k = rr(6);
    size_t off, len;
    pick(maxsize, maxio() * 2, &off, &len);
    int mode = 0;
    const char *nm = "0";
    switch (k) {
    case 0:
        mode = 0;
        break;
    case 1:
        mode = FALLOC_FL_KEEP_SIZE;
        nm = "keep";
        break;
    case 2:
        if (no_punch)
            return;
        mode = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
        nm = "punch";
        break;
    case 3:
        if (no_zero)
            return;
        mode = FALLOC_FL_ZERO_RANGE | (rr(2) ? FALLOC_FL_KEEP_SIZE : 0);
        nm = mode & FALLOC_FL_KEEP_SIZE ? "zero-keep" : "zero";
        break;
    case 4:
        if (no_collapse || fsize < 2 * PG)
            return;
        off = rr(fsize / PG - 1) * PG;
        len =
            (1 + rr((fsize - off) / PG - 1 ? (fsize - off) / PG - 1 : 1)) * PG;
        if (off + len >= fsize)
            return;
        mode = FALLOC_FL_COLLAPSE_RANGE;
        nm = "collapse";
        break;
    case 5:
        if (no_insert || fsize < PG)
            return;
        off = rr(fsize / PG) * PG;
        len = (1 + rr(4)) * PG;
        if (fsize + len > maxsize)
            return;
        mode = FALLOC_FL_INSERT_RANGE;
        nm = "insert";
        break;
    }
    logop("falloc %s %zu+%zu", nm, off, len);
    if (fallocate(fd, mode, off, len) < 0) {
        if (errno == EOPNOTSUPP || errno == ENOSYS) {
            if (k == 0 || k == 1)
                no_falloc = 1;
            if (k == 2)
                no_punch = 1;
            if (k == 3)
                no_zero = 1;
            if (k == 4)
                no_collapse = 1;
            if (k == 5)
                no_insert = 1;
            fprintf(stderr, "fsx: fallocate %s not supported here\n", nm);
            return;
        }
        sysfail("fallocate");
    }
    size_t end = off + len;
    if (k >= 2)
        drop_private();
    switch (k) {
    case 0:
        if (end > fsize)
            fsize = end;
        break;
    case 1:
        break;
    case 2:
        if (off < fsize)
            memset(good + off, 0, (end < fsize ? end : fsize) - off);
        break;
    case 3:
        if (mode & FALLOC_FL_KEEP_SIZE) {
            if (off < fsize)
                memset(good + off, 0, (end < fsize ? end : fsize) - off);
        } else {
            memset(good + off, 0, len);
            if (end > fsize)
                fsize = end;
        }
        break;
    case 4:
        memmove(good + off, good + end, fsize - end);
        setsize(fsize - len);
        break;
    case 5:
        memmove(good + end, good + off, fsize - off);
        memset(good + off, 0, len);
        fsize += len;
        break;
    }
    bump();
    check_size("after fallocate");
    check_range("after fallocate", off > PG ? off - PG : 0, len + 2 * PG);
}

static void do_copy(void)
{
    int k = rr(3);
    size_t off, len, dst;
    if (k == 0) { /* within the file, non-overlapping */
        if (!fsize)
            return;
        pick(fsize, maxio(), &off, &len);
        dst = rr(maxsize - len);
        if (dst < off + len && off < dst + len)
            return;
        loff_t io = off, oo = dst;
        logop("copy_file_range self %zu+%zu -> %zu", off, len, dst);
        ssize_t n = copy_file_range(fd, &io, fd, &oo, len, 0);
        if (n < 0)
            sysfail("copy_file_range");
        memmove(buf, good + off, n);
        put(dst, buf, n);
        check_range("after copy_file_range", dst, n);
    } else if (k == 1) { /* from the second file */
        pick(fsize2, maxio(), &off, &len);
        dst = rr(maxsize - len);
        loff_t io = off, oo = dst;
        logop("copy_file_range 2:%zu+%zu -> %zu", off, len, dst);
        ssize_t n = copy_file_range(fd2, &io, fd, &oo, len, 0);
        if (n < 0)
            sysfail("copy_file_range from 2");
        put(dst, good2 + off, n);
        check_range("after copy_file_range from 2", dst, n);
    } else { /* to the second file */
        if (!fsize)
            return;
        pick(fsize, maxio(), &off, &len);
        dst = rr(fsize2 > len ? fsize2 - len : 1);
        loff_t io = off, oo = dst;
        logop("copy_file_range %zu+%zu -> 2:%zu", off, len, dst);
        ssize_t n = copy_file_range(fd, &io, fd2, &oo, len, 0);
        if (n < 0)
            sysfail("copy_file_range to 2");
        memcpy(good2 + dst, good + off, n);
        if (dst + n > fsize2)
            fsize2 = dst + n;
        check_file2();
    }
}

static void do_splice(void)
{
    int k = rr(3);
    size_t off, len;
    if (k == 0) { /* sendfile from the second file at fd's position */
        pick(fsize2, maxio(), &off, &len);
        size_t dst = rr(maxsize - len);
        if (lseek(fd, dst, SEEK_SET) != (off_t)dst)
            sysfail("lseek");
        off_t io = off;
        logop("sendfile 2:%zu+%zu -> %zu", off, len, dst);
        ssize_t n = sendfile(fd, fd2, &io, len);
        if (n < 0)
            sysfail("sendfile");
        fpos = dst + n;
        put(dst, good2 + off, n);
        check_range("after sendfile", dst, n);
    } else { /* splice through a pipe: file->pipe->file2 or back */
        int p[2];
        if (pipe(p))
            sysfail("pipe");
        int from_main = k == 1;
        if (from_main && !fsize) {
            close(p[0]);
            close(p[1]);
            return;
        }
        pick(from_main ? fsize : fsize2, 65536, &off, &len);
        size_t dst =
            from_main ? rr(fsize2 > len ? fsize2 - len : 1) : rr(maxsize - len);
        loff_t io = off, oo = dst;
        logop("splice %s%zu+%zu -> %s%zu", from_main ? "" : "2:", off, len,
              from_main ? "2:" : "", dst);
        ssize_t n = splice(from_main ? fd : fd2, &io, p[1], NULL, len, 0);
        if (n < 0)
            sysfail("splice in");
        ssize_t m = splice(p[0], NULL, from_main ? fd2 : fd, &oo, n, 0);
        if (m != n)
            fail("splice out %zd of %zd", m, n);
        if (from_main) {
            memcpy(good2 + dst, good + off, n);
            if (dst + n > fsize2)
                fsize2 = dst + n;
            check_file2();
        } else {
            put(dst, good2 + off, n);
            check_range("after splice", dst, n);
        }
        close(p[0]);
        close(p[1]);
    }
}

static void do_seekrw(void)
{
    size_t off, len;
    pick(maxsize, maxio(), &off, &len);
    int wr = rr(2), wh = rr(3);
    off_t r;
    if (!wr && off >= fsize)
        off = fsize ? rr(fsize) : 0;
    if (wh == 0)
        r = lseek(fd, off, SEEK_SET);
    else if (wh == 1)
        r = lseek(fd, (off_t)off - fpos, SEEK_CUR);
    else
        r = lseek(fd, (off_t)off - (off_t)fsize, SEEK_END);
    if (r != (off_t)off)
        fail("lseek whence %d to %zu gave %jd", wh, off, (intmax_t)r);
    if (wr) {
        unsigned tag = rnd();
        fill(buf, off, len, tag);
        logop("lseek(%d)+write %zu+%zu", wh, off, len);
        if (write(fd, buf, len) != (ssize_t)len)
            sysfail("write");
        put(off, buf, len);
        fpos = off + len;
    } else {
        logop("lseek(%d)+read %zu+%zu", wh, off, len);
        ssize_t n = read(fd, buf, len);
        if (n < 0)
            sysfail("read");
        size_t want = off + len > fsize ? fsize - off : len;
        if ((size_t)n != want)
            fail("read %zu+%zu gave %zd, want %zu", off, len, n, want);
        cmp("read", buf, good + off, off, n);
        fpos = off + n;
    }
    r = lseek(fd, 0, SEEK_CUR);
    if (r != fpos)
        fail("position %jd after read/write, want %jd", (intmax_t)r,
             (intmax_t)fpos);
}

static void do_vec(void)
{
    size_t off, len;
    pick(maxsize, maxio(), &off, &len);
    int wr = rr(2);
    struct iovec iov[4];
    size_t cut[5] = { 0, rr(len + 1), rr(len + 1), rr(len + 1), len };
    for (int i = 1; i < 4; i++) /* sort the cuts */
        for (int j = i; j > 0 && cut[j] < cut[j - 1]; j--) {
            size_t t = cut[j];
            cut[j] = cut[j - 1];
            cut[j - 1] = t;
        }
    for (int i = 0; i < 4; i++) {
        iov[i].iov_base = buf + cut[i];
        iov[i].iov_len = cut[i + 1] - cut[i];
    }
    if (lseek(fd, off, SEEK_SET) != (off_t)off)
        sysfail("lseek");
    if (wr) {
        fill(buf, off, len, rnd());
        logop("writev %zu+%zu", off, len);
        if (writev(fd, iov, 4) != (ssize_t)len)
            sysfail("writev");
        put(off, buf, len);
        fpos = off + len;
    } else {
        if (off > fsize)
            off = fsize;
        if (lseek(fd, off, SEEK_SET) != (off_t)off)
            sysfail("lseek");
        logop("readv %zu+%zu", off, len);
        ssize_t n = readv(fd, iov, 4);
        if (n < 0)
            sysfail("readv");
        size_t want = off + len > fsize ? fsize - off : len;
        if ((size_t)n != want)
            fail("readv %zu+%zu gave %zd, want %zu", off, len, n, want);
        cmp("readv", buf, good + off, off, n);
        fpos = off + n;
    }
}

static void do_seekdata(void)
{
    if (!fsize)
        return;
    size_t off = rr(fsize);
    size_t next = off;
    while (next < fsize && !good[next])
        next++;
    errno = 0;
    off_t d = lseek(fd, off, SEEK_DATA);
    off_t h = lseek(fd, off, SEEK_HOLE);
    logop("seek_data/hole %zu: %jd %jd (next data %zu)", off, (intmax_t)d,
          (intmax_t)h, next);
    if (d >= 0 && ((size_t)d < off || (next < fsize && (size_t)d > next)))
        fail("SEEK_DATA %zu gave %jd, next data at %zu", off, (intmax_t)d,
             next);
    if (d < 0 && next < fsize)
        fail("SEEK_DATA %zu: %s, but data at %zu", off, strerror(errno), next);
    if (h < 0 || (size_t)h < off || (size_t)h > fsize)
        fail("SEEK_HOLE %zu gave %jd (size %zu)", off, (intmax_t)h, fsize);
    if ((size_t)h < fsize && good[h])
        fail("SEEK_HOLE %zu gave %jd, which holds data", off, (intmax_t)h);
    if (lseek(fd, fpos, SEEK_SET) != fpos)
        sysfail("lseek back");
}

static void do_op(int op)
{
    size_t off, len;
    switch (op) {
    case OP_PREAD:
        if (!fsize)
            return;
        pick(fsize + PG, maxio(), &off, &len);
        logop("pread %zu+%zu", off, len);
        check_range("pread", off, len);
        break;
    case OP_PWRITE:
        pick(maxsize, maxio(), &off, &len);
        fill(buf, off, len, rnd());
        logop("pwrite %zu+%zu", off, len);
        if (pwrite(fd, buf, len, off) != (ssize_t)len)
            sysfail("pwrite");
        put(off, buf, len);
        break;
    case OP_SEEKRW:
        do_seekrw();
        break;
    case OP_VEC:
        do_vec();
        break;
    case OP_APPEND:
        len = 1 + rr(maxio() / 4);
        if (fsize + len > maxsize)
            return;
        off = fsize;
        fill(buf, off, len, rnd());
        logop("append %zu+%zu", off, len);
        if (write(afd, buf, len) != (ssize_t)len)
            sysfail("append write");
        put(off, buf, len);
        check_size("after append");
        break;
    case OP_TRUNC:
        off = rr(2) ? rr(maxsize) : (fsize ? rr(fsize) : 0);
        if (rr(3) == 0)
            off &= ~(PG - 1);
        logop("ftruncate %zu -> %zu", fsize, off);
        if (ftruncate(fd, off) < 0)
            sysfail("ftruncate");
        setsize(off);
        bump();
        check_size("after ftruncate");
        break;
    case OP_FALLOC:
        do_falloc();
        break;
    case OP_COPY:
        do_copy();
        break;
    case OP_SPLICE:
        do_splice();
        break;
    case OP_MAPREAD: {
        struct smap *m = &maps[rr(NMAP)];
        if (!m->p || m->off >= fsize)
            return;
        size_t lim = m->off + m->len < fsize ? m->len : fsize - m->off;
        pick(lim, maxio(), &off, &len);
        logop("mapread %zu+%zu", m->off + off, len);
        cmp("map read", m->p + off, good + m->off + off, m->off + off, len);
        break;
    }
    case OP_MAPWRITE: {
        int i = rr(NMAP);
        struct smap *m = &maps[i];
        if (!m->p || !m->wr || m->off >= fsize)
            return;
        size_t lim = m->off + m->len < fsize ? m->len : fsize - m->off;
        pick(lim, maxio(), &off, &len);
        int sync = rr(3);
        fill(m->p + off, m->off + off, len, rnd());
        logop("mapwrite %d %zu+%zu msync %s", i, m->off + off, len,
              sync == 1   ? "SYNC"
              : sync == 2 ? "ASYNC"
                          : "none");
        memcpy(good + m->off + off, m->p + off, len);
        bump();
        size_t a = off & ~(PG - 1);
        if (sync &&
            msync(m->p + a, off + len - a, sync == 1 ? MS_SYNC : MS_ASYNC) < 0)
            sysfail("msync");
        check_range("pread after map store", m->off + off, len);
        break;
    }
    case OP_MAPNEW:
        newmap(rr(NMAP));
        if (maps[0].p || maps[1].p)
            check_maps();
        break;
    case OP_PRIVATE:
        do_private();
        break;
    case OP_MREMAP: {
        int i = rr(NMAP);
        struct smap *m = &maps[i];
        if (!m->p)
            return;
        size_t nl = (1 + rr(maxsize / PG / 2)) * PG;
        void *p = mremap(m->p, m->len, nl, MREMAP_MAYMOVE);
        logop("mremap %d %zu+%zu -> %zu", i, m->off, m->len, nl);
        if (p == MAP_FAILED)
            sysfail("mremap");
        m->p = p;
        m->len = nl;
        check_maps();
        break;
    }
    case OP_REOPEN:
        logop("reopen");
        close(fd);
        close(afd);
        if (rr(2)) {
            close(fd2);
            fd2 = open(path2, O_RDWR);
            if (fd2 < 0)
                sysfail("open 2");
        }
        openfds();
        check_all("after reopen");
        break;
    case OP_FSYNC:
        logop("fsync");
        if ((rr(2) ? fsync(fd) : fdatasync(fd)) < 0)
            sysfail("fsync");
        break;
    case OP_SEEKDATA:
        do_seekdata();
        break;
    case OP_FORK:
        do_fork();
        break;
    }
}

static void usage(void)
{
    fprintf(stderr, "usage: fsx [-s SEED] [-n OPS] [-m MAXSIZE] [-o OPMASK] "
                    "[-T SECS] [-c CHECKEVERY] [-k] [-v] FILE\nops:");
    for (int i = 0; i < OP_COUNT; i++)
        fprintf(stderr, " %s=0x%x", opname[i], 1u << i);
    fprintf(stderr, "\n");
    exit(2);
}

int main(int argc, char **argv)
{
    uint64_t seed = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 16;
    unsigned long nops = 10000, every = 50;
    double tlimit = 0;
    int keep = 0, c;
    maxsize = 256 * 1024;
    while ((c = getopt(argc, argv, "s:n:m:o:T:c:kv")) != -1) {
        switch (c) {
        case 's':
            seed = strtoull(optarg, NULL, 0);
            break;
        case 'n':
            nops = strtoul(optarg, NULL, 0);
            break;
        case 'm':
            maxsize = strtoul(optarg, NULL, 0);
            break;
        case 'o':
            opmask = strtoul(optarg, NULL, 0);
            break;
        case 'T':
            tlimit = atof(optarg);
            break;
        case 'c':
            every = strtoul(optarg, NULL, 0);
            break;
        case 'k':
            keep = 1;
            break;
        case 'v':
            verbose = 1;
            break;
        default:
            usage();
        }
    }
    if (optind + 1 != argc || maxsize < 4 * PG)
        usage();
    path = argv[optind];
    snprintf(path2, sizeof(path2), "%s.2", path);
    printf("fsx: seed %" PRIu64 " ops %lu maxsize %zu mask 0x%x file %s\n",
           seed, nops, maxsize, opmask, path);
    fflush(stdout);
    rs = seed * 0x9E3779B97F4A7C15ULL + 1;
    good = calloc(maxsize + 16 * PG, 1);
    good2 = calloc(maxsize, 1);
    buf = malloc(maxsize + 16 * PG);
    signal(SIGPIPE, SIG_IGN);

    int t = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    int t2 = open(path2, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (t < 0 || t2 < 0)
        sysfail("create");
    close(t);
    fd2 = t2;
    fsize2 = maxsize / 2;
    fill(good2, 0, fsize2, 0x5a5a);
    if (pwrite(fd2, good2, fsize2, 0) != (ssize_t)fsize2)
        sysfail("pwrite 2");
    openfds();

    int total = 0;
    for (int i = 0; i < OP_COUNT; i++)
        if (opmask & (1u << i))
            total += opweight[i];
    if (!total)
        usage();
    struct timespec t0, tn;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    unsigned long done = 0;
    for (opno = 1; opno <= nops; opno++) {
        int w = rr(total), op = 0;
        for (op = 0; op < OP_COUNT; op++) {
            if (!(opmask & (1u << op)))
                continue;
            if (w < opweight[op])
                break;
            w -= opweight[op];
        }
        do_op(op);
        done++;
        if (every && opno % every == 0) {
            logop("full check");
            check_all("full check");
            if (tlimit > 0) {
                clock_gettime(CLOCK_MONOTONIC, &tn);
                if (tn.tv_sec - t0.tv_sec + (tn.tv_nsec - t0.tv_nsec) / 1e9 >
                    tlimit)
                    break;
            }
        }
    }
    logop("final check");
    check_all("final check");
    check_file2();
    /* everything unmapped and closed: what stayed in the file */
    unmap_all();
    close(fd);
    close(afd);
    fd = open(path, O_RDONLY);
    if (fd < 0)
        sysfail("open final");
    check_size("after close");
    check_range("after close", 0, fsize);
    close(fd);
    close(fd2);
    if (!keep) {
        unlink(path);
        unlink(path2);
    }
    printf("fsx: PASS %lu ops, final size %zu\n", done, fsize);
    return 0;
}
