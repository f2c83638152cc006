/* SPDX-License-Identifier: MIT */
/*
 * What the seeded guest programs share: the random numbers and what
 * /proc says of a process, an fd or a mount. Header-only (each guest is
 * one file), static inline so that a program may use any part without
 * an unused warning.
 *
 * The state rng is seeded by each program its own way. The rnd variants
 * are the forms the fuzzers had before they shared them: each keeps its
 * own, so a seed still gives the same trace.
 */
#ifndef KBOX_FUZZ_UTIL_H
#define KBOX_FUZZ_UTIL_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static uint64_t rng;

/* xorshift64 (13, 7, 17): the next state */
static inline uint64_t rnd64(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* below n, from the state's high 53 bits */
static inline uint32_t rnd(uint32_t n)
{
    return (uint32_t)((rnd64() >> 11) % n);
}

/* below n, from the whole state */
static inline unsigned rnd_low(unsigned n)
{
    return (unsigned)(rnd64() % n);
}

/* 32 bits: the low ones of the state's high 53 */
static inline uint32_t rnd32(void)
{
    return (uint32_t)(rnd64() >> 11);
}

/* below n, from a 64-bit LCG step (Knuth's MMIX constants) on rng */
static inline unsigned rnd_lcg(unsigned n)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((rng >> 33) % n);
}

/* strerrorname_np, or "E<number>" where it has none */
static inline const char *errname(int e)
{
    static char buf[16];
    const char *n = strerrorname_np(e);

    if (n)
        return n;
    snprintf(buf, sizeof(buf), "E%d", e);
    return buf;
}

/*
 * The fields of a /proc/.../stat after the command's ")" ("S 1 2 ..."),
 * in buf, or NULL if the file could not be read. oflags: each caller's
 * own, its calls unchanged.
 */
static inline char *proc_stat_tail(const char *path, int oflags, char *buf,
                                   size_t len)
{
    int fd = open(path, oflags);
    ssize_t n;
    char *p;

    if (fd < 0)
        return NULL;
    n = read(fd, buf, len - 1);
    close(fd);
    if (n <= 0)
        return NULL;
    buf[n] = 0;
    p = strrchr(buf, ')');
    return p && p[1] ? p + 2 : NULL;
}

/* A process's state letter (R, S, T, Z, ...), '?' if unknown. */
static inline int proc_state(pid_t pid)
{
    char path[64], buf[512], *t;

    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    t = proc_stat_tail(path, O_RDONLY, buf, sizeof(buf));
    return t && *t ? *t : '?';
}

/* mnt_id: of /proc/self/fdinfo/FD, -1 if none, -2 if unreadable */
static inline long fdinfo_mnt(int fd)
{
    char p[64], line[256];
    long id = -1;
    FILE *f;

    snprintf(p, sizeof(p), "/proc/self/fdinfo/%d", fd);
    f = fopen(p, "re");
    if (!f)
        return -2;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "mnt_id: %ld", &id) == 1)
            break;
    fclose(f);
    return id;
}

/* Whether the comma-separated mount options opts hold the option o. */
static inline int has_opt(const char *opts, const char *o)
{
    size_t n = strlen(o);

    for (const char *p = opts; (p = strstr(p, o)); p += n)
        if ((p == opts || p[-1] == ',') && (p[n] == 0 || p[n] == ','))
            return 1;
    return 0;
}

#endif
