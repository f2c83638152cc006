/* SPDX-License-Identifier: MIT */
/*
 * Differential fuzzer for the calls that move bytes between fds in the
 * kernel: splice, tee, vmsplice, sendfile, copy_file_range, and read,
 * write, pread, pwrite, lseek and ftruncate around them.
 *
 * usage: splice-fuzz DIR SEED NOPS [OTHER [NOPATH]]
 *
 * DIR must be the current directory and empty. The fds (slots): a and b
 * on DIR/f0, c on DIR/f1, g on OTHER/g0 (another filesystem: a bind when
 * DIR is in the image, the image when DIR is a bind), m a memfd, d the
 * directory, pr/pw and qr/qw two pipes, s0/s1 a socket pair, nul
 * /dev/null, zero /dev/zero, bad a closed fd. File slots are reopened
 * with random modes (read-only, write-only, O_APPEND, O_PATH, ...) and
 * get O_APPEND set and cleared. Offsets are NULL or given (0, inside,
 * at and past EOF, negative, up to 8 TiB), lengths 0, small, page
 * sized, past EOF or huge, flags SPLICE_F_NONBLOCK|MOVE|MORE|GIFT or a
 * bad bit; copy_file_range runs within one file (overlapping or not);
 * pipes are made full and drained, a pipe loses its reader.
 *
 * One line per call (its arguments, result or errno name, the offsets
 * it updated), then one state line: each file's size and hash, each
 * file fd's position, the bytes queued in each pipe and socket. Bytes
 * read from pipes and sockets are printed as count and hash.
 *
 * No call may block: pipes and sockets are non-blocking, and a call is
 * made blocking only when the bytes it waits for are there (the program
 * keeps count from the results). What this program avoids on purpose,
 * as the environments legitimately differ there:
 * - a pipe is never filled by a copy from a file: Linux fills pipe
 *   buffers page by page from the file's page cache (a count that
 *   depends on the file offset's alignment), kbox writes the bytes of an
 *   image file (bytes into the last buffer too); so such copies stay
 *   below 16 KiB while the pipe holds at most half its buffers, and a
 *   full pipe is made by writes of whole pages only;
 * - sockets get at most 16 KiB per call and are drained past 64 KiB
 *   (their buffer accounting differs between spliced pages and sent
 *   bytes);
 * - bytes copied from a file into a pipe or socket are read at once:
 *   Linux queues the file's pages, so a later write to the file shows
 *   in them, kbox copies an image file's bytes at the call;
 * - a pipe that got another pipe's or a socket's buffers (tee, splice)
 *   counts as holding many small ones: it is drained before a write;
 * - no offset near the largest file size (ext4 holds 16 TiB, tmpfs and
 *   memfds LLONG_MAX: EOVERFLOW or EFBIG on one, 0 on the other), no
 *   lseek to a directory's end (ext4's is LLONG_MAX, tmpfs's EINVAL),
 *   and files stay small (no copy of gigabytes);
 * - known gaps (docs/supervisor-status.md): no sendfile within one file
 *   (lx's ext4 recopies bytes when the ranges share a page), and with
 *   NOPATH no O_PATH opens of host files (see nopath).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fuzz-util.h"
#include "op-trace.h"

#define BUFSZ   (1 << 20)
#define MAXFILE (2 << 20)
#define HASHLEN (256 << 10)

static unsigned char pat[BUFSZ], buf[BUFSZ];

static uint32_t fnv(const void *p, size_t n, uint32_t h)
{
    const unsigned char *c = p;

    while (n--)
        h = (h ^ *c++) * 16777619u;
    return h;
}

enum kind { K_FILE, K_MEM, K_DIR, K_PR, K_PW, K_SOCK, K_NULL, K_ZERO, K_BAD };

struct slot {
    const char *name;
    enum kind k;
    int fd;
    int file; /* K_FILE/K_MEM: index in files[] */
    int ch;   /* K_PR/K_PW/K_SOCK: the channel it reads (pipe or socket) */
    int wch;  /* K_PW/K_SOCK: the channel it writes */
    int fl;   /* K_FILE: open flags */
};

/* files: f0, f1, g0 (OTHER), the memfd; probe: an O_RDONLY fd for the hash */
static struct file {
    const char *name;
    char path[4096];
    int probe;
} files[4] = {
    { "f0", "", -1 }, { "f1", "", -1 }, { "g0", "", -1 }, { "m0", "", -1 }
};

/* what the program knows of a pipe or one direction of the socket pair */
static struct chan {
    const char *name;
    long bytes;   /* queued, from the calls' results */
    int slots;    /* at most this many pipe buffers in use */
    bool full;    /* made full by fill */
    bool noread;  /* the read end was closed */
    bool is_pipe; /* else a socket direction */
} chans[4] = { { "P", 0, 0, false, false, true },
               { "Q", 0, 0, false, false, true },
               { "S01", 0, 0, false, false, false },
               { "S10", 0, 0, false, false, false } };

static struct slot slots[] = {
    { "a", K_FILE, -1, 0, -1, -1, O_RDWR },
    { "b", K_FILE, -1, 0, -1, -1, O_RDONLY },
    { "c", K_FILE, -1, 1, -1, -1, O_RDWR },
    { "g", K_FILE, -1, 2, -1, -1, O_RDWR },
    { "m", K_MEM, -1, 3, -1, -1, O_RDWR },
    { "d", K_DIR, -1, -1, -1, -1, 0 },
    { "pr", K_PR, -1, -1, 0, -1, 0 },
    { "pw", K_PW, -1, -1, -1, 0, 0 },
    { "qr", K_PR, -1, -1, 1, -1, 0 },
    { "qw", K_PW, -1, -1, -1, 1, 0 },
    { "s0", K_SOCK, -1, -1, 3, 2, 0 },
    { "s1", K_SOCK, -1, -1, 2, 3, 0 },
    { "nul", K_NULL, -1, -1, -1, -1, 0 },
    { "zero", K_ZERO, -1, -1, -1, -1, 0 },
    { "bad", K_BAD, 999, -1, -1, -1, 0 },
};
#define NSLOT (int)(sizeof(slots) / sizeof(slots[0]))
static bool have_other;
/* 'g': no O_PATH opens of g0, 'd': none of DIR's files. kbox gives an
 * O_PATH open of a host file (a bind's) a readable fd, as the seccomp
 * tier cannot install an O_PATH file (docs/supervisor-status.md, the
 * twentieth session): its reads, lseek and copies are not EBADF. */
static const char *nopath = "";

static const struct {
    int fl;
    const char *name;
} modes[] = {
    { O_RDWR, "rw" },
    { O_RDWR, "rw" },
    { O_RDONLY, "r" },
    { O_WRONLY, "w" },
    { O_WRONLY | O_APPEND, "wa" },
    { O_RDWR | O_APPEND, "rwa" },
    { O_PATH, "path" },
    { O_RDWR | O_NONBLOCK, "rwn" },
};
#define NMODE (int)(sizeof(modes) / sizeof(modes[0]))

static const char *modename(int fl)
{
    for (int i = 0; i < NMODE; i++)
        if (modes[i].fl == fl)
            return modes[i].name;
    return "?";
}

static struct slot *pick(void)
{
    for (;;) {
        struct slot *s = &slots[rnd(NSLOT)];

        if (s->file != 2 || have_other)
            return s;
    }
}

static bool is_file(const struct slot *s)
{
    return s->k == K_FILE || s->k == K_MEM;
}

static struct slot *pick_file(void)
{
    for (;;) {
        struct slot *s = pick();

        if (is_file(s))
            return s;
    }
}

static long fsize(int file)
{
    struct stat st;

    return fstat(files[file].probe, &st) ? -1 : (long)st.st_size;
}

/* the queue of channel c: its read end's FIONREAD */
static long queued(int c)
{
    int n = 0;

    for (int i = 0; i < NSLOT; i++)
        if (slots[i].ch == c && slots[i].fd >= 0)
            return ioctl(slots[i].fd, FIONREAD, &n) ? -errno : n;
    return -1;
}

static void state(void)
{
    char line[1024];
    int len = 0;

    len += snprintf(line + len, sizeof(line) - len, "=%d", opno);
    for (int f = 0; f < 4; f++) {
        uint32_t h = 2166136261u;
        long size = fsize(f), at = 0;

        if (f == 2 && !have_other)
            continue;
        while (at < size && at < HASHLEN) {
            ssize_t n = pread(files[f].probe, buf, BUFSZ, at);

            if (n <= 0)
                break;
            if (at + n > HASHLEN)
                n = HASHLEN - at;
            h = fnv(buf, (size_t)n, h);
            at += n;
        }
        len += snprintf(line + len, sizeof(line) - len, " %s:%ld:%08x",
                        files[f].name, size, h);
    }
    len += snprintf(line + len, sizeof(line) - len, " pos");
    for (int i = 0; i < NSLOT; i++) {
        off_t p;

        if (!is_file(&slots[i]) || (slots[i].file == 2 && !have_other))
            continue;
        p = lseek(slots[i].fd, 0, SEEK_CUR);
        if (p < 0)
            len += snprintf(line + len, sizeof(line) - len, " %s:%s",
                            slots[i].name, errname(errno));
        else
            len += snprintf(line + len, sizeof(line) - len, " %s:%ld",
                            slots[i].name, (long)p);
    }
    for (int c = 0; c < 4; c++) {
        long q = chans[c].noread ? -1 : queued(c);

        if (!chans[c].noread && q != chans[c].bytes)
            len +=
                snprintf(line + len, sizeof(line) - len, " %s:%ld(model %ld)",
                         chans[c].name, q, chans[c].bytes);
        else
            len += snprintf(line + len, sizeof(line) - len, " %s:%ld",
                            chans[c].name, q);
        if (q >= 0)
            chans[c].bytes = q; /* follow what is there, once told */
    }
    puts(line);
}

static void set_nb(struct slot *s, bool nb)
{
    int fl;

    if (s->fd < 0 || (s->k != K_PR && s->k != K_PW))
        return;
    fl = fcntl(s->fd, F_GETFL);
    if (fl >= 0)
        fcntl(s->fd, F_SETFL, nb ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

static void open_file_slot(struct slot *s, int fl)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fl = fl;
    s->fd = open(files[s->file].path, fl | O_CLOEXEC);
}

static void make_pipe(int c)
{
    int p[2];
    struct slot *r = NULL, *w = NULL;

    for (int i = 0; i < NSLOT; i++) {
        if (slots[i].k == K_PR && slots[i].ch == c)
            r = &slots[i];
        if (slots[i].k == K_PW && slots[i].wch == c)
            w = &slots[i];
    }
    if (r->fd >= 0)
        close(r->fd);
    if (w->fd >= 0)
        close(w->fd);
    if (pipe2(p, O_NONBLOCK | O_CLOEXEC)) {
        perror("pipe2");
        exit(2);
    }
    r->fd = p[0];
    w->fd = p[1];
    chans[c].bytes = 0;
    chans[c].slots = 0;
    chans[c].full = false;
    chans[c].noread = false;
}

/* the channel s reads, the one it writes (-1: none) */
static int rch(const struct slot *s)
{
    return s->k == K_PR || s->k == K_SOCK ? s->ch : -1;
}

static int wch(const struct slot *s)
{
    return s->k == K_PW || s->k == K_SOCK ? s->wch : -1;
}

/* read everything queued in channel c, as one trace line */
static void drain(int c)
{
    struct slot *r = NULL;
    uint32_t h = 2166136261u;
    long total = 0;
    ssize_t n;

    for (int i = 0; i < NSLOT; i++)
        if (rch(&slots[i]) == c)
            r = &slots[i];
    if (chans[c].noread)
        return;
    while ((n = recv(r->fd, buf, BUFSZ, MSG_DONTWAIT)) > 0 ||
           (n < 0 && errno == ENOTSOCK && (n = read(r->fd, buf, BUFSZ)) > 0)) {
        h = fnv(buf, (size_t)n, h);
        total += n;
    }
    out("", "drain %s: %ld bytes %08x (%s)", chans[c].name, total, h,
        n < 0 ? errname(errno) : "eof");
    chans[c].bytes = 0;
    chans[c].slots = 0;
    chans[c].full = false;
}

/* before writing into channel c: room as the rules above keep it */
static void make_room(int c)
{
    struct chan *ch = &chans[c];

    if (c < 0 || ch->noread)
        return;
    if (ch->full && ch->bytes < 65536)
        drain(c); /* a partly drained full pipe: its free buffers vary */
    else if (!ch->full && (ch->is_pipe ? ch->slots > 8 : ch->bytes > 65536))
        drain(c);
}

static void account_in(int c, long n)
{
    if (c < 0 || n <= 0)
        return;
    chans[c].bytes += n;
    chans[c].slots += (int)(n / 4096) + 2;
}

static void account_out(int c, long n)
{
    if (c < 0 || n <= 0)
        return;
    chans[c].bytes -= n;
    if (chans[c].bytes <= 0) {
        chans[c].bytes = 0;
        chans[c].slots = 0;
        chans[c].full = false;
    }
}

/* Whether a call may block on s: only when it cannot wait (bytes are
 * there to read, room is there to write). */
static bool may_block(const struct slot *in, const struct slot *outs)
{
    int ri = in ? rch(in) : -1, wo = outs ? wch(outs) : -1;

    if (ri >= 0 && (chans[ri].noread || chans[ri].bytes <= 0))
        return false;
    if (wo >= 0 && !chans[wo].noread && chans[wo].full)
        return false;
    return true;
}

/* a length for a copy from in to o */
static long pick_len(const struct slot *in, const struct slot *o, long from)
{
    long size = is_file(in) ? fsize(in->file) : 0, n;

    switch (rnd(10)) {
    case 0:
        n = 0;
        break;
    case 1:
        n = 1;
        break;
    case 2:
    case 3:
    case 4:
        n = 1 + rnd(5000);
        break;
    case 5:
        n = 4096;
        break;
    case 6:
        n = 8192 + rnd(3);
        break;
    case 7:
        n = size - (from < 0 ? 0 : from) + 1 + rnd(9000);
        break;
    case 8:
        n = rnd(2) ? 0x7ffff000L : rnd(2) ? LONG_MAX : 1L << 40;
        break;
    default:
        n = rnd(65536);
        break;
    }
    if (n < 0)
        n = rnd(100);
    /* from a file into a pipe or socket, or from /dev/zero: bounded */
    if ((o && (o->k == K_PW || o->k == K_SOCK) && n > 16384 &&
         (in->k == K_ZERO || (is_file(in) && size - from > 16384))) ||
        (o && o->k == K_SOCK && n > 16384))
        n = 16384;
    if (in->k == K_ZERO && n > 65536)
        n = 65536;
    return n;
}

/* an offset to give: source offsets may be past anything, destination
 * ones stay where every filesystem can write */
static long long pick_off(const struct slot *s, bool dst)
{
    long size = is_file(s) ? fsize(s->file) : 0;

    switch (rnd(dst ? 6 : 8)) {
    case 0:
        return 0;
    case 1:
        return size > 0 ? rnd((uint32_t)size + 1) : 0;
    case 2:
        return size;
    case 3:
        return size + rnd(9000);
    case 4:
        return rnd(70000);
    case 5:
        return rnd(4) ? 4096 * (long long)rnd(20) : -1 - (long long)rnd(5000);
    case 6:
        return 1LL << (30 + rnd(6));
    default:
        return 1LL << (40 + rnd(4));
    }
}

static void fill_data(long n, size_t *at)
{
    *at = rnd(BUFSZ / 2);
    (void)n;
}

static const char *flagstr(unsigned fl)
{
    static char b[64];

    b[0] = 0;
    if (fl & SPLICE_F_MOVE)
        strcat(b, "|MOVE");
    if (fl & SPLICE_F_NONBLOCK)
        strcat(b, "|NB");
    if (fl & SPLICE_F_MORE)
        strcat(b, "|MORE");
    if (fl & SPLICE_F_GIFT)
        strcat(b, "|GIFT");
    if (fl & 0x100)
        strcat(b, "|0x100");
    return b[0] ? b + 1 : "0";
}

static unsigned pick_flags(void)
{
    unsigned fl = rnd(16);

    if (!rnd(12))
        fl |= 0x100;
    return fl;
}

static const char *offstr(loff_t *p, loff_t v)
{
    static char b[4][40];
    static int i;

    i = (i + 1) % 4;
    if (!p)
        return "NULL";
    snprintf(b[i], sizeof(b[i]), "%lld", (long long)v);
    return b[i];
}

/* Bound the files so no copy can become gigabytes. */
static void keep_small(void)
{
    for (int f = 0; f < 4; f++) {
        if ((f == 2 && !have_other) || fsize(f) <= MAXFILE)
            continue;
        int fd = f == 3 ? files[3].probe : open(files[f].path, O_WRONLY);

        out("", "shrink %s: %s", files[f].name,
            res(ftruncate(fd, 65536), errno));
        if (f != 3)
            close(fd);
    }
}

/* a splice-family call between two slots */
static void op_copy(int which)
{
    struct slot *in = pick(), *o = pick();
    loff_t oi = 0, oo = 0, *pi = NULL, *po = NULL;
    bool block;
    long len, rc;
    unsigned fl = 0;
    int e;

    /* mostly the pairs each call is made for; any pair now and then */
    if (which == 0 && rnd(4)) { /* splice: a pipe end and a file */
        bool from_pipe = rnd(2);
        struct slot *p = &slots[(from_pipe ? 6 : 7) + 2 * rnd(2)];
        struct slot *x = rnd(10) < 7 ? pick_file() : pick();

        in = from_pipe ? p : x;
        o = from_pipe ? x : p;
    } else if (which == 1 && rnd(4)) { /* tee: two pipes */
        in = &slots[rnd(2) ? 6 : 8];
        o = &slots[in == &slots[6] ? 9 : 7];
    } else if (which == 2 && rnd(4)) { /* sendfile: from a file */
        in = pick_file();
        if (rnd(2))
            o = pick_file();
        else if (rnd(3))
            o = &slots[rnd(3) ? 7 + 2 * rnd(2) : 10 + rnd(2)];
    } else if (which == 3 && rnd(5)) { /* copy_file_range: two files */
        in = pick_file();
        o = rnd(3) ? pick_file() : in;
    }
    make_room(wch(o));
    if (which != 1 && which != 2 && rnd(2)) {
        pi = &oi;
        oi = pick_off(in, false);
    }
    if (which != 1 && which != 3 ? rnd(3) == 0 : which != 1 && rnd(2)) {
        po = &oo;
        oo = pick_off(o, true);
    }
    if (which == 2 && rnd(2)) {
        pi = &oi;
        oi = pick_off(in, false);
    }
    len = pick_len(in, o,
                   pi            ? oi
                   : is_file(in) ? lseek(in->fd, 0, SEEK_CUR)
                                 : 0);
    /* lx's sendfile within one ext4 file recopies bytes it has just
     * written when the ranges share a page (docs/supervisor-status.md,
     * twenty-eighth session): not done here */
    if (which == 2 && is_file(in) && is_file(o) && in->file == o->file)
        o = &slots[12];
    if (in == o || (is_file(in) && is_file(o) && in->file == o->file)) {
        if (len > 65536)
            len = 65536; /* a file copied into itself grows as it is read */
    }
    fl = which == 3 ? (rnd(10) ? 0 : 1) : pick_flags();
    block = rnd(2) && may_block(in, o);
    if (block) {
        fl &= ~SPLICE_F_NONBLOCK;
        set_nb(in, false);
        set_nb(o, false);
    } else if (which == 2 || which == 3) {
        /* sendfile has no flags: only the pipe's own O_NONBLOCK */
    } else {
        fl |= rnd(2) ? SPLICE_F_NONBLOCK : 0;
    }
    if (which == 2 && o->k == K_SOCK && len > 16384)
        len = 16384;
    errno = 0;
    switch (which) {
    case 0:
        rc = splice(in->fd, pi, o->fd, po, (size_t)len, fl);
        break;
    case 1:
        rc = tee(in->fd, o->fd, (size_t)len, fl);
        break;
    case 2:
        rc = sendfile(o->fd, in->fd, (off_t *)pi, (size_t)len);
        break;
    default:
        rc = copy_file_range(in->fd, pi, o->fd, po, (size_t)len, fl);
        break;
    }
    e = errno;
    set_nb(in, true);
    set_nb(o, true);
    if (which == 0)
        out("",
            "splice %s off=%s -> %s off=%s len=%ld fl=%s%s: %s in=%s out=%s",
            in->name, offstr(pi, oi), o->name, offstr(po, oo), len, flagstr(fl),
            block ? " block" : "", res(rc, e), offstr(pi, oi), offstr(po, oo));
    else if (which == 1)
        out("", "tee %s -> %s len=%ld fl=%s%s: %s", in->name, o->name, len,
            flagstr(fl), block ? " block" : "", res(rc, e));
    else if (which == 2)
        out("", "sendfile %s off=%s -> %s len=%ld%s: %s off=%s", in->name,
            offstr(pi, oi), o->name, len, block ? " block" : "", res(rc, e),
            offstr(pi, oi));
    else
        out("", "cfr %s off=%s -> %s off=%s len=%ld fl=%u: %s in=%s out=%s",
            in->name, offstr(pi, oi), o->name, offstr(po, oo), len, fl,
            res(rc, e), offstr(pi, oi), offstr(po, oo));
    if (rc > 0) {
        if (which != 1)
            account_out(rch(in), rc);
        account_in(wch(o), rc);
        /* from a pipe or socket: their buffers (tee's small ones, a
         * socket's messages), as many as there were: count it full */
        if (wch(o) >= 0 && (rch(in) >= 0))
            chans[wch(o)].slots = 16;
        /* Linux queues a file's own pages in a pipe or socket, and a
         * later write to the file shows in them; kbox copies an image
         * file's bytes at the call. Read them before the file changes. */
        if (is_file(in) && wch(o) >= 0)
            drain(wch(o));
    }
}

static void op_vmsplice(void)
{
    struct slot *s = rnd(4) ? &slots[6 + rnd(4)] : pick();
    struct iovec iov[2];
    unsigned fl = pick_flags();
    long len = rnd(3) ? 1 + rnd(12000) : rnd(2) ? 0 : 70000;
    bool toward = s->k == K_PW || (s->k != K_PR && rnd(2)), block;
    long rc;
    int e, niov = 1 + rnd(2);
    size_t at;

    if (toward)
        make_room(wch(s));
    fill_data(len, &at);
    iov[0].iov_base = toward ? pat + at : buf;
    iov[0].iov_len = (size_t)len / niov;
    iov[1].iov_base = (char *)iov[0].iov_base + iov[0].iov_len;
    iov[1].iov_len = (size_t)len - iov[0].iov_len;
    block = rnd(2) && may_block(toward ? NULL : s, toward ? s : NULL) &&
            (!toward || len <= 16384);
    if (block) {
        fl &= ~SPLICE_F_NONBLOCK;
        set_nb(s, false);
    } else {
        fl |= SPLICE_F_NONBLOCK; /* vmsplice ignores the pipe's O_NONBLOCK */
    }
    errno = 0;
    rc = vmsplice(s->fd, iov, (unsigned long)niov, fl);
    e = errno;
    set_nb(s, true);
    out("", "vmsplice %s %s len=%ld niov=%d fl=%s%s: %s %08x", s->name,
        toward ? "from-mem" : "to-mem", len, niov, flagstr(fl),
        block ? " block" : "", res(rc, e),
        !toward && rc > 0 ? fnv(buf, (size_t)rc, 2166136261u) : 0);
    if (rc > 0) {
        if (toward) {
            account_in(wch(s), rc);
            chans[wch(s)].slots += 2 * niov; /* a buffer per page touched */
        } else
            account_out(rch(s), rc);
    }
}

static void op_rw(void)
{
    struct slot *s = pick();
    int kind = rnd(4); /* read, write, pread, pwrite */
    long len = rnd(4) ? 1 + rnd(9000) : rnd(2) ? 0 : 1 + rnd(200000);
    long long off = kind >= 2 ? pick_off(s, kind == 3) : 0;
    bool writing = kind & 1, block;
    long rc;
    int e;
    size_t at = 0;

    if (writing) {
        make_room(wch(s));
        if (len > 16384 && wch(s) >= 0)
            len = 16384;
    }
    block = rnd(2) && may_block(writing ? NULL : s, writing ? s : NULL) &&
            (!writing || len <= 4096);
    if (block)
        set_nb(s, false);
    if (writing)
        fill_data(len, &at);
    errno = 0;
    switch (kind) {
    case 0:
        rc = read(s->fd, buf, (size_t)len);
        break;
    case 1:
        rc = write(s->fd, pat + at, (size_t)len);
        break;
    case 2:
        rc = pread(s->fd, buf, (size_t)len, off);
        break;
    default:
        rc = pwrite(s->fd, pat + at, (size_t)len, off);
        break;
    }
    e = errno;
    set_nb(s, true);
    if (writing)
        out("", "%s %s len=%ld off=%lld%s: %s", kind == 1 ? "write" : "pwrite",
            s->name, len, off, block ? " block" : "", res(rc, e));
    else
        out("", "%s %s len=%ld off=%lld%s: %s %08x",
            kind == 0 ? "read" : "pread", s->name, len, off,
            block ? " block" : "", res(rc, e),
            rc > 0 ? fnv(buf, (size_t)rc, 2166136261u) : 0);
    if (rc > 0 && writing)
        account_in(wch(s), rc);
    else if (rc > 0)
        account_out(rch(s), rc);
}

static void op_misc(void)
{
    struct slot *s = pick();
    long rc;
    int e;

    errno = 0;
    switch (rnd(8)) {
    case 0:
    case 1: {
        static const int wh[] = { SEEK_SET, SEEK_CUR, SEEK_END };
        int w = wh[rnd(3)];
        long long off = rnd(3) ? (long long)rnd(70000) - (w ? 5000LL : 0LL)
                               : pick_off(s, false);

        if (s->k == K_DIR && w == SEEK_END)
            w = SEEK_SET; /* an ext4 directory's end is LLONG_MAX, tmpfs's
                             EINVAL */

        rc = lseek(s->fd, off, w);
        e = errno;
        out("", "lseek %s %lld %d: %s", s->name, off, w, res(rc, e));
        break;
    }
    case 2:
    case 3: {
        long long len = rnd(5) ? (long long)rnd(70000) : rnd(2) ? -1 : 1 << 20;

        rc = ftruncate(s->fd, len);
        e = errno;
        out("", "ftruncate %s %lld: %s", s->name, len, res(rc, e));
        break;
    }
    case 4:
    case 5:
        if (s->k == K_FILE && (s->file != 2 || have_other) && rnd(2)) {
            int fl = modes[rnd(NMODE)].fl;

            if (fl == O_PATH && strchr(nopath, s->file == 2 ? 'g' : 'd'))
                fl = O_RDONLY; /* see nopath */
            open_file_slot(s, fl);
            out("", "reopen %s %s: %s", s->name, modename(fl),
                s->fd < 0 ? errname(errno) : "ok");
            if (s->fd < 0) /* keep the slot usable */
                open_file_slot(s, O_RDONLY);
        } else if (is_file(s)) {
            int fl = fcntl(s->fd, F_GETFL);

            rc = fcntl(s->fd, F_SETFL, fl ^ O_APPEND);
            e = errno;
            out("", "setfl %s append=%d: %s", s->name, !(fl & O_APPEND),
                res(rc, e));
        } else {
            out("", "nop");
        }
        break;
    case 6: {
        int c = rnd(4);

        if (chans[c].is_pipe && !chans[c].noread && rnd(2)) {
            /* fill from empty with whole pages: every buffer full */
            long total = 0;
            ssize_t n;
            struct slot *w = &slots[c == 0 ? 7 : 9];

            drain(c);
            while ((n = write(w->fd, pat, 4096)) > 0)
                total += n;
            out("", "fill %s: %ld (%s)", chans[c].name, total, errname(errno));
            chans[c].bytes = total;
            chans[c].full = true;
            chans[c].slots = 16;
        } else {
            drain(c);
        }
        break;
    }
    default: {
        int c = rnd(2);

        if (!chans[c].noread && rnd(2)) {
            close(slots[c == 0 ? 6 : 8].fd);
            slots[c == 0 ? 6 : 8].fd = -1;
            chans[c].noread = true;
            out("", "close %s's reader", chans[c].name);
        } else {
            make_pipe(c);
            out("", "new pipe %s", chans[c].name);
        }
        break;
    }
    }
}

int main(int argc, char **argv)
{
    int sv[2];
    unsigned long nops;

    if (argc < 4) {
        fprintf(stderr, "usage: splice-fuzz DIR SEED NOPS [OTHER [NOPATH]]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN); /* EPIPE is what the trace shows */
    rng = strtoull(argv[2], NULL, 0) * 0x9E3779B97F4A7C15ULL + 1;
    nops = strtoul(argv[3], NULL, 0);
    have_other = argc > 4 && argv[4][0];
    if (argc > 5)
        nopath = argv[5];
    for (size_t i = 0; i < BUFSZ; i++)
        pat[i] = (unsigned char)rnd64();
    snprintf(files[0].path, sizeof(files[0].path), "f0");
    snprintf(files[1].path, sizeof(files[1].path), "f1");
    if (have_other)
        snprintf(files[2].path, sizeof(files[2].path), "%s/g0", argv[4]);
    for (int f = 0; f < 3; f++) {
        int fd;

        if (f == 2 && !have_other)
            continue;
        fd = open(files[f].path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, pat + 1000 * f, 5000 + 3000 * f) < 0) {
            perror(files[f].path);
            return 2;
        }
        close(fd);
        files[f].probe = open(files[f].path, O_RDONLY | O_CLOEXEC);
    }
    files[3].probe = memfd_create("splice-fuzz", MFD_CLOEXEC);
    if (files[3].probe < 0 || write(files[3].probe, pat + 7, 6000) != 6000) {
        perror("memfd");
        return 2;
    }
    for (int i = 0; i < NSLOT; i++) {
        struct slot *s = &slots[i];

        if (s->k == K_FILE && (s->file != 2 || have_other))
            open_file_slot(s, s->fl);
        else if (s->k == K_MEM)
            s->fd = files[3].probe;
        else if (s->k == K_DIR)
            s->fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        else if (s->k == K_NULL)
            s->fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        else if (s->k == K_ZERO)
            s->fd = open("/dev/zero", O_RDWR | O_CLOEXEC);
    }
    make_pipe(0);
    make_pipe(1);
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
                   sv)) {
        perror("socketpair");
        return 2;
    }
    slots[10].fd = sv[0];
    slots[11].fd = sv[1];
    for (opno = 0; opno < (int)nops; opno++) {
        switch (rnd(12)) {
        case 0:
        case 1:
        case 2:
            op_copy(0);
            break;
        case 3:
            op_copy(1);
            break;
        case 4:
        case 5:
            op_copy(2);
            break;
        case 6:
        case 7:
            op_copy(3);
            break;
        case 8:
            op_vmsplice();
            break;
        case 9:
            op_rw();
            break;
        default:
            op_misc();
            break;
        }
        keep_small();
        state();
    }
    unlink("f0");
    unlink("f1");
    if (have_other)
        unlink(files[2].path);
    puts("splice-fuzz: done");
    return 0;
}
