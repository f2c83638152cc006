/* SPDX-License-Identifier: MIT */
/*
 * The names /proc/<pid>/maps shows.
 *
 * kbox runs programs and maps image files from copies (memfds, files of
 * the content cache), and the host's maps named those:
 * "/memfd:kbox-exec (deleted)", "/root/.cache/kbox/content/...". Tools
 * that find code through maps (sanitizers' symbolizers, profilers, Go's
 * pprof, JVM crash logs) were sent to paths that do not exist in the
 * guest, and the host user's cache directory showed. Each copy kbox
 * hands out is noted with the guest path it stands for, by its device
 * and inode; a guest reading maps or smaps gets the host's file with
 * those names put back.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "kbox/dispatch.h"

#define NAMES 4096 /* a power of two */
#define PROBE 8

struct mapname {
    uint64_t dev, ino;
    char *path;
    uint64_t gdev, gino; /* the guest file's; gino 0: not known */
};

static struct mapname names[NAMES];
static pthread_mutex_t names_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t slot_of(uint64_t dev, uint64_t ino)
{
    uint64_t h = (ino * 0x9e3779b97f4a7c15ULL) ^ (dev * 0xc2b2ae3d27d4eb4fULL);

    return (size_t)(h >> 20) & (NAMES - 1);
}

void kbox_mapname_note(int fd, const char *guest_path)
{
    kbox_mapname_note_id(fd, guest_path, 0, 0);
}

void kbox_mapname_note_id(int fd, const char *guest_path, uint64_t gdev,
                          uint64_t gino)
{
    struct stat st;
    size_t s, use;
    char *p;

    if (!guest_path[0] || fstat(fd, &st))
        return;
    p = strdup(guest_path);
    if (!p)
        return;
    pthread_mutex_lock(&names_lock);
    use = s = slot_of(st.st_dev, st.st_ino);
    for (int i = 0; i < PROBE; i++) {
        struct mapname *m = &names[(s + (size_t)i) & (NAMES - 1)];

        if (!m->path || (m->dev == st.st_dev && m->ino == st.st_ino)) {
            use = (s + (size_t)i) & (NAMES - 1);
            break;
        }
    }
    /* full around it: the oldest guess is dropped */
    free(names[use].path);
    names[use].dev = st.st_dev;
    names[use].ino = st.st_ino;
    names[use].path = p;
    names[use].gdev = gdev;
    names[use].gino = gino;
    pthread_mutex_unlock(&names_lock);
}

/* The guest path noted for (@dev, @ino) into @out, or false; *@gdev,
 * *@gino the guest file's ids (0: not known). */
static bool name_of(uint64_t dev, uint64_t ino, char *out, size_t len,
                    uint64_t *gdev, uint64_t *gino)
{
    size_t s = slot_of(dev, ino);
    bool found = false;

    pthread_mutex_lock(&names_lock);
    for (int i = 0; i < PROBE && !found; i++) {
        struct mapname *m = &names[(s + (size_t)i) & (NAMES - 1)];

        if (m->path && m->dev == dev && m->ino == ino) {
            snprintf(out, len, "%s", m->path);
            *gdev = m->gdev;
            *gino = m->gino;
            found = true;
        }
    }
    pthread_mutex_unlock(&names_lock);
    return found;
}

int kbox_buf_put(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n > *cap) {
        size_t nc = (*len + n) * 2;
        char *nb = realloc(*buf, nc);

        if (!nb)
            return -ENOMEM;
        *buf = nb;
        *cap = nc;
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    return 0;
}

/* One line of maps (or a mapping's first line in smaps), renamed. */
static int rename_line(const char *line, size_t n, char **out, size_t *len,
                       size_t *cap)
{
    unsigned int maj, min;
    uint64_t ino, gdev = 0, gino = 0;
    int path_at = -1, dev_at = -1;
    char guest[4096];

    if (sscanf(line, "%*x-%*x %*4s %*x %n%x:%x %" SCNu64 " %n", &dev_at, &maj,
               &min, &ino, &path_at) == 3 &&
        path_at > 0 && (size_t)path_at < n && ino &&
        name_of(makedev(maj, min), ino, guest, sizeof(guest), &gdev, &gino)) {
        int rc;

        if (gino) {
            /* the guest file's device and inode, the name in its column
             * (lsof and fuser match them against stat) */
            char ids[64];
            int il = snprintf(ids, sizeof(ids), "%02x:%02x %" PRIu64,
                              major(gdev), minor(gdev), gino);

            rc = kbox_buf_put(out, len, cap, line, (size_t)dev_at);
            if (!rc)
                rc = kbox_buf_put(out, len, cap, ids, (size_t)il);
            for (int c = dev_at + il; !rc && (c < path_at || c == dev_at + il);
                 c++)
                rc = kbox_buf_put(out, len, cap, " ", 1);
        } else {
            rc = kbox_buf_put(out, len, cap, line, (size_t)path_at);
        }
        if (!rc)
            rc = kbox_buf_put(out, len, cap, guest, strlen(guest));
        return rc ? rc : kbox_buf_put(out, len, cap, "\n", 1);
    }
    /* a file of a bind mapped as it is: its host path, as the guest's */
    if (path_at > 0 && (size_t)path_at < n && line[path_at] == '/') {
        size_t pl = n - (size_t)path_at - (line[n - 1] == '\n');
        long gl;

        if (pl < sizeof(guest)) {
            memcpy(guest, line + path_at, pl);
            gl = kbox_host_link_to_guest(guest, (long)pl, sizeof(guest));
            if (gl > 0 &&
                ((size_t)gl != pl || memcmp(guest, line + path_at, pl))) {
                int rc = kbox_buf_put(out, len, cap, line, (size_t)path_at);

                if (!rc)
                    rc = kbox_buf_put(out, len, cap, guest, (size_t)gl);
                return rc ? rc : kbox_buf_put(out, len, cap, "\n", 1);
            }
        }
    }
    return kbox_buf_put(out, len, cap, line, n);
}

int kbox_rewrite_lines_fd(int hostfd, const char *name, kbox_line_fn fn)
{
    size_t hl = 0, hcap = 65536, ol = 0, ocap = 65536;
    char *host = malloc(hcap), *out = malloc(ocap);
    int fd, rc = 0;

    if (!host || !out) {
        free(host);
        free(out);
        return -ENOMEM;
    }
    for (;;) {
        ssize_t n;

        if (hl == hcap) {
            char *nb = realloc(host, hcap * 2);

            if (!nb) {
                rc = -ENOMEM;
                break;
            }
            host = nb;
            hcap *= 2;
        }
        n = read(hostfd, host + hl, hcap - hl);
        if (n < 0) {
            rc = -errno;
            break;
        }
        if (n == 0)
            break;
        hl += (size_t)n;
    }
    for (size_t at = 0; !rc && at < hl;) {
        const char *nl = memchr(host + at, '\n', hl - at);
        size_t n = nl ? (size_t)(nl - (host + at)) + 1 : hl - at;

        rc = fn(host + at, n, &out, &ol, &ocap);
        at += n;
    }
    free(host);
    fd = rc ? -1 : memfd_create(name, MFD_CLOEXEC);
    if (!rc && fd < 0)
        rc = -errno;
    if (!rc && (write(fd, out, ol) != (ssize_t)ol || lseek(fd, 0, SEEK_SET)))
        rc = -EIO;
    free(out);
    if (rc) {
        if (fd >= 0)
            close(fd);
        return rc;
    }
    return fd;
}

int kbox_proc_maps_fd(const char *rest, int hostfd)
{
    size_t rl = strlen(rest);

    if (!((rl > 5 && !strcmp(rest + rl - 5, "/maps")) ||
          (rl > 6 && !strcmp(rest + rl - 6, "/smaps"))))
        return -ENOENT;
    return kbox_rewrite_lines_fd(hostfd, "kbox-maps", rename_line);
}
