/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
/* Lexical path normalisation, containment checks and routing. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "kbox/cli.h"
#include "kbox/path.h"

int kbox_path_normalize(const char *in, char *out, size_t outlen,
                        bool keep_trailing, bool *escapes)
{
    bool abs = in[0] == '/';
    size_t len = 0, inlen = strlen(in);
    int depth = 0; /* components we may pop (relative paths) */
    bool trailing = inlen > 0 && in[inlen - 1] == '/';
    const char *p = in;

    if (escapes)
        *escapes = false;
    if (outlen < 2)
        return -1;
    if (abs)
        out[len++] = '/';
    out[len] = '\0';

    while (*p) {
        const char *s;
        size_t n;

        while (*p == '/')
            p++;
        if (!*p)
            break;
        s = p;
        while (*p && *p != '/')
            p++;
        n = (size_t)(p - s);
        if (n == 1 && s[0] == '.')
            continue;
        if (n == 2 && s[0] == '.' && s[1] == '.') {
            if (abs || depth > 0) {
                /* Pop one component ("/.." stays "/"). */
                if (len > (abs ? 1u : 0u)) {
                    while (len > 0 && out[len - 1] != '/')
                        len--;
                    if (len > (abs ? 1u : 0u))
                        len--; /* the separator */
                    out[len] = '\0';
                    depth--;
                }
                continue;
            }
            /* Relative path climbing above its start: keep "..". */
            if (escapes)
                *escapes = true;
        } else {
            depth++;
        }
        if (len && out[len - 1] != '/') {
            if (len + 1 >= outlen)
                return -1;
            out[len++] = '/';
        }
        if (len + n >= outlen)
            return -1;
        memcpy(out + len, s, n);
        len += n;
        out[len] = '\0';
        /* A kept ".." is not poppable: reset depth. */
        if (n == 2 && s[0] == '.' && s[1] == '.')
            depth = 0;
    }
    if (len == 0) {
        out[len++] = '.';
        out[len] = '\0';
    }
    if (keep_trailing && trailing && out[len - 1] != '/') {
        if (len + 1 >= outlen)
            return -1;
        out[len++] = '/';
        out[len] = '\0';
    }
    return (int)len;
}

int kbox_path_join(const char *base, const char *rel, char *out, size_t outlen)
{
    char tmp[2 * KBOX_PATH_MAX + 2];
    size_t bl = strlen(base), rl = strlen(rel);

    if (rel[0] == '/')
        return kbox_path_normalize(rel, out, outlen, false, NULL);
    if (bl + rl + 2 > sizeof(tmp))
        return -1;
    memcpy(tmp, base, bl);
    tmp[bl] = '/';
    memcpy(tmp + bl + 1, rel, rl + 1);
    return kbox_path_normalize(tmp, out, outlen, false, NULL);
}

bool kbox_path_beneath(const char *path, const char *prefix, const char **rest)
{
    size_t pl = strlen(prefix);

    if (strcmp(prefix, "/") == 0) {
        if (path[0] != '/')
            return false;
        if (rest)
            *rest = path + 1;
        return true;
    }
    if (strncmp(path, prefix, pl) != 0)
        return false;
    if (path[pl] == '\0') {
        if (rest)
            *rest = path + pl;
        return true;
    }
    if (path[pl] != '/')
        return false;
    if (rest)
        *rest = path + pl + 1;
    return true;
}

static const char *const hostdev_allow[] = {
    "null", "zero", "full", "random", "urandom", "tty", "ptmx", NULL,
};

const char *kbox_path_machine(const char *path, int *where)
{
    static const char *const proc_files[] = {
        "cpuinfo", "stat", "meminfo", "loadavg", "uptime", NULL,
    };
    const char *rest;

    if (kbox_path_beneath(path, "/sys/devices/system/cpu", &rest)) {
        *where = KBOX_MACHINE_CPU;
        return *rest ? rest : ".";
    }
    /* the network is the host's (guests share its stack): its sockets,
     * routes and counters too (fuser, ss -s, netstat) */
    if (kbox_path_beneath(path, "/proc/net", &rest)) {
        *where = KBOX_MACHINE_PROC;
        return path + 6; /* "net" or "net/..." */
    }
    /* and its settings: lx's (core, unix) govern no socket the guest
     * has; sysctl, Go's somaxconn, ip_local_port_range readers */
    if (kbox_path_beneath(path, "/proc/sys/net", &rest)) {
        *where = KBOX_MACHINE_PROC;
        return path + 6; /* "sys/net" or "sys/net/..." */
    }
    if (kbox_path_beneath(path, "/proc", &rest))
        for (int i = 0; proc_files[i]; i++)
            if (!strcmp(rest, proc_files[i])) {
                *where = KBOX_MACHINE_PROC;
                return rest;
            }
    return NULL;
}

bool kbox_path_proc_private(const char *rest)
{
    static const char *const private_entries[] = {
        "auxv",    "environ",     "exe",   "fd",           "fdinfo",
        "io",      "maps",        "mem",   "map_files",    "numa_maps",
        "pagemap", "personality", "smaps", "smaps_rollup", "stack",
        "syscall", NULL,
    };
    const char *p = rest, *end;
    size_t len;

    while (*p >= '0' && *p <= '9')
        p++;
    if (p == rest || *p != '/')
        return false;
    p++;
    if (!strncmp(p, "task/", 5)) {
        const char *t = p + 5;

        while (*t >= '0' && *t <= '9')
            t++;
        if (t == p + 5 || *t != '/')
            return false; /* the task directory itself: anyone may list */
        p = t + 1;
    }
    end = strchr(p, '/');
    len = end ? (size_t)(end - p) : strlen(p);
    for (int i = 0; private_entries[i]; i++)
        if (strlen(private_entries[i]) == len &&
            !strncmp(p, private_entries[i], len))
            return true;
    return false;
}

bool kbox_path_hostdev_allowed(const char *name)
{
    for (int i = 0; hostdev_allow[i]; i++)
        if (strcmp(name, hostdev_allow[i]) == 0)
            return true;
    /* the host's /dev/pts and what is in it (N, ptmx) */
    if (!strcmp(name, "pts"))
        return true;
    /* pts/N/x too (the host says ENOTDIR); never a ".." out of it */
    return strncmp(name, "pts/", 4) == 0 && name[4] && !strstr(name, "..");
}

struct kbox_route_result kbox_path_route(const char *path,
                                         const struct kbox_bind *binds,
                                         int nbinds, bool hostdev)
{
    struct kbox_route_result r = { KBOX_ROUTE_LX, -1, path };
    size_t best = 0;
    const char *rest;

    /*
     * The deepest place wins; of two binds on one place the later, as a
     * second mount covers the first (-b A:/x -b B:/x showed A).
     */
    for (int i = 0; i < nbinds; i++) {
        size_t l = strlen(binds[i].guest_dst);

        if (l >= best && kbox_path_beneath(path, binds[i].guest_dst, &rest)) {
            best = l;
            r.route = KBOX_ROUTE_BIND;
            r.bind_index = i;
            r.rest = rest;
        }
    }
    if (r.route == KBOX_ROUTE_BIND)
        return r;
    if (hostdev && kbox_path_beneath(path, "/dev", &rest) && *rest &&
        kbox_path_hostdev_allowed(rest)) {
        r.route = KBOX_ROUTE_HOSTDEV;
        r.rest = rest;
    }
    return r;
}

const char *kbox_path_proc_pid(const char *path, long *pid)
{
    const char *p, *q;
    long n = 0;

    if (strncmp(path, "/proc/", 6))
        return NULL;
    p = path + 6;
    *pid = 0;
    if (!strncmp(p, "self/", 5))
        return p + 5;
    if (!strncmp(p, "thread-self/", 12))
        return p + 12;
    for (q = p; *q >= '0' && *q <= '9'; q++) {
        if (n > (1L << 40))
            return NULL; /* no such pid; and no overflow */
        n = n * 10 + (*q - '0');
    }
    if (q == p || *q != '/')
        return NULL;
    *pid = n;
    return q + 1;
}

/* Per-process /proc entries served from the host's /proc (net: the
 * host's network, as /proc/net). */
static const char *const host_proc_entries[] = {
    "auxv",        "cgroup",       "children",
    "cmdline",     "comm",         "coredump_filter",
    "environ",     "io",           "limits",
    "maps",        "net",          "numa_maps",
    "oom_adj",     "oom_score",    "oom_score_adj",
    "personality", "sched",        "schedstat",
    "smaps",       "smaps_rollup", "stack",
    "stat",        "statm",        "status",
    "syscall",     "task",         "timerslack_ns",
    "wchan",
};

static bool host_proc_entry(const char *name, size_t len)
{
    for (size_t i = 0;
         i < sizeof(host_proc_entries) / sizeof(host_proc_entries[0]); i++)
        if (strlen(host_proc_entries[i]) == len &&
            !strncmp(host_proc_entries[i], name, len))
            return true;
    return false;
}

/* Parse a decimal pid component; returns its end, or NULL. */
static const char *parse_pid(const char *p, long *n)
{
    const char *q;

    *n = 0;
    for (q = p; *q >= '0' && *q <= '9'; q++) {
        if (*n > (1L << 40))
            return NULL;
        *n = *n * 10 + (*q - '0');
    }
    return q == p || *n == 0 ? NULL : q;
}

/*
 * "/proc/<pid>", "/proc/self" or "/proc/thread-self" at the start of
 * @path: what follows it ("/..." or ""), with *pid the process (@tgid for
 * self) and *task @tid for thread-self, else 0; NULL for other paths.
 */
static const char *proc_pid_prefix(const char *path, long tgid, long tid,
                                   long *pid, long *task)
{
    const char *p;

    *task = 0;
    if (strncmp(path, "/proc/", 6))
        return NULL;
    p = path + 6;
    if (!strncmp(p, "self", 4) && (p[4] == '/' || !p[4])) {
        *pid = tgid;
        return p + 4;
    }
    if (!strncmp(p, "thread-self", 11) && (p[11] == '/' || !p[11])) {
        *pid = tgid;
        *task = tid;
        return p + 11;
    }
    p = parse_pid(p, pid);
    return p && (*p == '/' || !*p) ? p : NULL;
}

int kbox_path_proc_fd(const char *path, long tgid, long tid, long *pid,
                      long *task, int *n)
{
    const char *p, *e;
    int kind;
    long v;

    p = proc_pid_prefix(path, tgid, tid, pid, task);
    if (!p || *p++ != '/')
        return KBOX_PROC_FD_NONE;
    if (!*task && !strncmp(p, "task/", 5)) {
        e = parse_pid(p + 5, task);
        if (!e || *e != '/')
            return KBOX_PROC_FD_NONE;
        p = e + 1;
    }
    if (!strncmp(p, "fdinfo", 6)) {
        kind = KBOX_PROC_FDINFO;
        p += 6;
    } else if (!strncmp(p, "fd", 2)) {
        kind = KBOX_PROC_FD;
        p += 2;
    } else {
        return KBOX_PROC_FD_NONE;
    }
    if (!*p) {
        *n = -1;
        return kind;
    }
    /* /<n>, decimal without leading zeros, as the kernel's /proc takes it */
    if (*p++ != '/' || *p < '0' || *p > '9' || (p[0] == '0' && p[1]))
        return KBOX_PROC_FD_NONE;
    for (v = 0; *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (*p - '0');
        if (v > INT_MAX)
            return KBOX_PROC_FD_NONE;
    }
    if (*p)
        return KBOX_PROC_FD_NONE;
    *n = (int)v;
    return kind;
}

int kbox_path_proc_split(const char *path, long tgid, long tid, char *out,
                         size_t outlen, long *pid)
{
    const char *p, *e, *end;
    long task = 0;
    int n;

    p = proc_pid_prefix(path, tgid, tid, pid, &task);
    if (!p)
        return KBOX_PROC_NONE;
    if (!*p)
        return KBOX_PROC_NONE; /* the directory itself: the kernel's */
    p++;
    /* task/<tid>/...: the thread's own entries */
    if (!task && !strncmp(p, "task/", 5)) {
        e = parse_pid(p + 5, &task);
        if (!e || (*e != '/' && *e))
            task = 0; /* "task/" itself, or junk: the host's task dir */
        else
            p = *e ? e + 1 : e;
    }
    end = strchr(p, '/');
    if (!end)
        end = p + strlen(p);
    if (task && !*p) {
        n = snprintf(out, outlen, "%ld/task/%ld", *pid, task);
    } else if (host_proc_entry(p, (size_t)(end - p))) {
        if (task)
            n = snprintf(out, outlen, "%ld/task/%ld/%s", *pid, task, p);
        else
            n = snprintf(out, outlen, "%ld/%s", *pid, p);
    } else if (task) {
        if (*pid == tgid)
            n = snprintf(out, outlen, "/proc/self/%s", p);
        else
            n = snprintf(out, outlen, "/proc/%ld/%s", *pid, p);
        if (n < 0 || (size_t)n >= outlen)
            return -1;
        return KBOX_PROC_KERNEL;
    } else {
        return KBOX_PROC_NONE;
    }
    if (n < 0 || (size_t)n >= outlen)
        return -1;
    return KBOX_PROC_HOST;
}

/* @to[0..tl) relative to directory @from[0..fl) (both absolute and
 * normal): "..", one per component of @from below their common
 * directory, then the rest of @to; "." when they are the same */
static int rel_from(const char *from, size_t fl, const char *to, size_t tl,
                    char *out, size_t len)
{
    size_t c = 0, i, o = 0;
    const char *q;

    /* the longest common directory, at a component boundary */
    for (i = 1; i <= fl && i <= tl; i++) {
        bool fe = i == fl || from[i] == '/', te = i == tl || to[i] == '/';

        if (fe && te)
            c = i;
        if (i == fl || i == tl || from[i] != to[i])
            break;
    }
    for (i = c; i < fl; i++) {
        if (from[i] == '/' && i + 1 < fl) {
            int n = snprintf(out + o, len - o, "%s..", o ? "/" : "");

            if (n < 0 || (size_t)n >= len - o)
                return -ENAMETOOLONG;
            o += (size_t)n;
        }
    }
    q = to + c;
    while (q < to + tl && *q == '/')
        q++;
    if (q < to + tl) {
        int n = snprintf(out + o, len - o, "%s%.*s", o ? "/" : "",
                         (int)(to + tl - q), q);

        if (n < 0 || (size_t)n >= len - o)
            return -ENAMETOOLONG;
        o += (size_t)n;
    }
    if (!o && snprintf(out, len, ".") >= (int)len)
        return -ENAMETOOLONG;
    return 1;
}

int kbox_path_place_parent(const char *norm, const char *rest, const char *base,
                           char *out, size_t len)
{
    size_t nl = strlen(norm), rl = strlen(rest), pl, bl;
    const char *slash;

    if (norm[0] != '/')
        return -EINVAL;
    /* the place: @norm without "/@rest" */
    pl = nl;
    if (rl) {
        if (rl + 1 > nl || strcmp(norm + nl - rl, rest) != 0 ||
            norm[nl - rl - 1] != '/')
            return -EINVAL;
        pl = nl - rl - 1;
    }
    slash = memrchr(norm, '/', pl);
    if (!slash)
        return -EINVAL;
    pl = slash == norm ? 1 : (size_t)(slash - norm); /* its parent */
    if (!base || base[0] != '/')
        return snprintf(out, len, "%.*s", (int)pl, norm) < (int)len
                   ? 0
                   : -ENAMETOOLONG;
    /* from @base (a cwd or dirfd's directory): relative to it, with ".."
     * up to the directory it shares with the parent, as Linux walks a
     * relative name from there and never through what lies above */
    bl = strlen(base);
    while (bl > 1 && base[bl - 1] == '/')
        bl--;
    return rel_from(base, bl, norm, pl, out, len);
}
