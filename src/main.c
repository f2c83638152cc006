/* SPDX-License-Identifier: MIT */
/* kbox: run a program from a filesystem image against in-process Linux. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/abi.h"
#include "kbox/cache.h"
#include "kbox/cli.h"
#include "kbox/dispatch.h"
#include "kbox/exec.h"
#include "kbox/guard.h"
#include "kbox/image.h"
#include "kbox/path.h"
#include "kbox/policy.h"
#include "kbox/seccomp.h"

extern char **environ;

/* --verbose: where start-up and teardown time goes, in ms since start. */
static struct timespec t_start;

static void step(const char *what)
{
    struct timespec ts;

    if (!kbox_sup.verbose)
        return;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    fprintf(stderr, "kbox: %7.2f ms %s\n",
            (double)(ts.tv_sec - t_start.tv_sec) * 1e3 +
                (double)(ts.tv_nsec - t_start.tv_nsec) / 1e6,
            what);
}

/*
 * The main guest process, by its pidfd: the serve loop reaps it when it
 * exits and kbox may wait on for its background jobs, and a kill() by
 * pid then reached whatever host process had been given that pid since
 * (a root kbox's SIGTERM ended an unrelated process). The pidfd stays
 * the dead process's: ESRCH.
 */
static volatile int child_pidfd = -1;

static void forward_signal(int sig)
{
    if (child_pidfd >= 0)
        syscall(SYS_pidfd_send_signal, child_pidfd, sig, NULL, 0);
    kbox_seccomp_forward(sig);
}

/*
 * SIGINT and SIGQUIT from the terminal reach the guest through its
 * process group, so kbox ignores those; one sent to kbox with kill() by
 * a process of another group (`kill -INT $kbox_pid` from a script or a
 * supervisor) reaches nothing else, and went lost: the guest ran on. It
 * goes to the guest, as sudo relays it. A sender in kbox's own group
 * (`timeout -s INT`, which signals the group too) is not relayed, or the
 * guest would get it twice.
 */
static void relay_sent_signal(int sig, siginfo_t *si, void *uc)
{
    int e = errno;

    (void)uc;
    if ((si->si_code == SI_USER || si->si_code == SI_QUEUE ||
         si->si_code == SI_TKILL) &&
        si->si_pid > 0 && getpgid(si->si_pid) != getpgrp())
        forward_signal(sig);
    errno = e;
}

/*
 * SIGINT, SIGQUIT, SIGTERM and SIGHUP are blocked from kbox's start until
 * its handlers are set (take_guest_signals): one in the first
 * milliseconds ended kbox by the default action, the image not synced and
 * the private directory left behind. Until the guest runs, one that is
 * pending ends kbox cleanly with the status a killed guest gives, unless
 * the guest would not see it either (blocked or ignored at kbox's start).
 */
static const int stop_sigs[] = { SIGINT, SIGQUIT, SIGTERM, SIGHUP };

static bool early_stop(int *status)
{
    sigset_t p;

    if (sigpending(&p))
        return false;
    for (size_t i = 0; i < sizeof(stop_sigs) / sizeof(stop_sigs[0]); i++) {
        int s = stop_sigs[i];

        if (sigismember(&p, s) == 1 &&
            sigismember(&kbox_sup.guest_sigmask, s) != 1 &&
            !(kbox_sup.guest_sig_ign & (1ull << (s - 1)))) {
            *status = 128 + s;
            return true;
        }
    }
    return false;
}

/* Remove a private directory and everything in it: exec aliases are
 * d<n>/<program> and d<n>/_/<program> (a dead run's stayed behind when
 * only one level was removed). @depth bounds the recursion. */
static void remove_tree_at(int parent, const char *name, int depth)
{
    int dfd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
    struct dirent *de;

    if (!d) {
        if (dfd >= 0)
            close(dfd);
        return;
    }
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (de->d_type == DT_DIR && depth < 8)
            remove_tree_at(dfd, de->d_name, depth + 1);
        else
            unlinkat(dfd, de->d_name, 0);
    }
    closedir(d);
    unlinkat(parent, name, AT_REMOVEDIR);
}

static void remove_tree(int parent, const char *name)
{
    remove_tree_at(parent, name, 0);
}

static int exec_dir_lock = -1;

static void remove_exec_dir(void)
{
    if (!kbox_sup.exec_dir[0])
        return;
    remove_tree(AT_FDCWD, kbox_sup.exec_dir);
    kbox_sup.exec_dir[0] = '\0';
}

/*
 * Private directories of kbox runs that were killed (SIGKILL, OOM) stay
 * behind: "kbox-<pid>-XXXXXX" of ours that no run holds locked are
 * removed, when their pid is gone or they have not changed for a minute
 * (a run locks its directory right after making it; a pid reused by an
 * unrelated process kept a dead run's directory forever).
 */
static void sweep_stale_exec_dirs(const char *tmp)
{
    DIR *d = opendir(tmp);
    struct dirent *de;

    if (!d)
        return;
    while ((de = readdir(d))) {
        struct stat st;
        char *end;
        long pid;
        int lk;

        if (strncmp(de->d_name, "kbox-", 5))
            continue;
        pid = strtol(de->d_name + 5, &end, 10);
        if (end == de->d_name + 5 || *end != '-' || strlen(end) != 7 ||
            pid <= 0 || pid == (long)getpid())
            continue;
        if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
            !S_ISDIR(st.st_mode) || st.st_uid != getuid())
            continue;
        if ((kill((pid_t)pid, 0) == 0 || errno != ESRCH) &&
            time(NULL) - st.st_mtime < 60)
            continue; /* its run may be starting: not ours to judge yet */
        /* A live run holds a lock on its directory (whatever its pid
         * namespace): remove only what nobody holds. */
        lk = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (lk < 0)
            continue;
        if (flock(lk, LOCK_EX | LOCK_NB) == 0)
            remove_tree(dirfd(d), de->d_name);
        close(lk);
    }
    closedir(d);
}

/*
 * Where the private directory goes: $TMPDIR when the user set one, else a
 * memory filesystem ($XDG_RUNTIME_DIR, /dev/shm), else /tmp. Making and
 * removing it with its aliases costs ~35 us on tmpfs against ~350 us on
 * an ext4 /tmp with much churn, on every run.
 */
static const char *exec_dir_base(void)
{
    const char *c[] = { getenv("TMPDIR"), getenv("XDG_RUNTIME_DIR"),
                        "/dev/shm" };

    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
        if (c[i] && c[i][0] == '/' && strlen(c[i]) <= 200 &&
            access(c[i], W_OK | X_OK) == 0)
            return c[i];
    return "/tmp";
}

static int make_exec_dir(void)
{
    const char *tmp = exec_dir_base();

    sweep_stale_exec_dirs(tmp);
    snprintf(kbox_sup.exec_dir, sizeof(kbox_sup.exec_dir), "%s/kbox-%d-XXXXXX",
             tmp, (int)getpid());
    if (!mkdtemp(kbox_sup.exec_dir)) {
        fprintf(stderr, "kbox: cannot create a private directory in %s: %s\n",
                tmp, strerror(errno));
        kbox_sup.exec_dir[0] = '\0';
        return -1;
    }
    /* Held until exit: tells a later run's sweep this one is alive. */
    exec_dir_lock = open(kbox_sup.exec_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (exec_dir_lock >= 0)
        flock(exec_dir_lock, LOCK_EX | LOCK_NB);
    return 0;
}

/* mkdir -p for the cache's parents (0700: the cache is per user). */
static void make_parents(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        mkdir(path, 0700);
        *p = '/';
    }
}

/*
 * The persistent tier of the content cache: $KBOX_CONTENT_CACHE ("off"
 * disables it), else $XDG_CACHE_HOME/kbox/content or ~/.cache/kbox/content.
 * Keyed by the root filesystem's id; any problem just leaves it off.
 */
static void content_cache_open(struct lx_task *t)
{
    const char *env = getenv("KBOX_CONTENT_CACHE"), *base;
    char dir[4096];
    struct kbox_gstatfs sf;
    struct kbox_gstat st;
    long a[6] = { AT_FDCWD, (long)"/", (long)&st, 0, 0, 0 };
    long b[6] = { (long)"/", (long)&sf, 0, 0, 0, 0 };
    int rc;

    if (env && (!strcmp(env, "off") || !strcmp(env, "0") || !*env))
        return;
    if (env) {
        snprintf(dir, sizeof(dir), "%s", env);
    } else if ((base = getenv("XDG_CACHE_HOME")) && base[0] == '/') {
        snprintf(dir, sizeof(dir), "%s/kbox/content", base);
    } else if ((base = getenv("HOME")) && base[0] == '/') {
        snprintf(dir, sizeof(dir), "%s/.cache/kbox/content", base);
    } else {
        return;
    }
    if (lx_task_syscall(t, LX__NR_newfstatat, a) ||
        lx_task_syscall(t, LX__NR_statfs, b))
        return;
    make_parents(dir);
    rc = kbox_cache_disk_open(
        dir, (uint64_t)(uint32_t)sf.f_fsid[0] << 32 | (uint32_t)sf.f_fsid[1],
        st.st_dev);
    if (rc && kbox_sup.verbose)
        fprintf(stderr, "kbox: content cache %s unusable (%s): off\n", dir,
                strerror(-rc));
}

static void content_cache_close(void)
{
    struct kbox_cache_disk_stats s;

    kbox_cache_disk_stats(&s);
    if (kbox_sup.verbose)
        fprintf(stderr,
                "kbox: content cache: %lu hits, %lu misses, %lu stored, "
                "%lu rejected\n",
                s.hits, s.misses, s.stores, s.rejected);
    if (s.stores)
        kbox_cache_disk_prune(KBOX_CONTENT_CACHE_MAX);
    kbox_cache_disk_close();
}

/*
 * The guest's environment: the host's, except that HOME, USER and
 * LOGNAME follow the guest identity when kbox changed it (-0, -S,
 * --change-id), from the image's /etc/passwd; HOME is dropped when the
 * uid has no entry there.
 */
static char **guest_env(const struct kbox_opts *o, struct lx_task *t)
{
    static char home[512], user[300], logname[300];
    unsigned uid = o->root_id ? 0 : o->change_id ? o->uid : getuid();
    char *pw, *line, *save = NULL;
    char **env;
    size_t n = 0, k = 0;
    bool found = false;

    for (char **e = environ; *e; e++)
        n++;
    env = calloc(n + 4, sizeof(*env));
    if (!env)
        return environ;
    if (!o->root_id && !o->change_id) {
        memcpy(env, environ, n * sizeof(*env));
        return env;
    }
    pw = kbox_image_slurp(t, "/etc/passwd");
    for (line = pw ? strtok_r(pw, "\n", &save) : NULL; line;
         line = strtok_r(NULL, "\n", &save)) {
        char *f[7] = { 0 }, *sp = line;
        int i = 0;

        while (i < 7 && sp) {
            f[i++] = sp;
            sp = strchr(sp, ':');
            if (sp)
                *sp++ = '\0';
        }
        if (i >= 6 && f[2] && (unsigned)strtoul(f[2], NULL, 10) == uid) {
            snprintf(home, sizeof(home), "HOME=%s", f[5]);
            snprintf(user, sizeof(user), "USER=%s", f[0]);
            snprintf(logname, sizeof(logname), "LOGNAME=%s", f[0]);
            found = true;
            break;
        }
    }
    free(pw);
    for (size_t i = 0; i < n; i++) {
        if (!strncmp(environ[i], "HOME=", 5) ||
            !strncmp(environ[i], "USER=", 5) ||
            !strncmp(environ[i], "LOGNAME=", 8))
            continue;
        env[k++] = environ[i];
    }
    if (found) {
        env[k++] = home;
        env[k++] = user;
        env[k++] = logname;
    } else if (uid == 0) {
        env[k++] = "HOME=/root";
    }
    env[k] = NULL;
    return env;
}

static const char *env_path(void)
{
    for (char **e = environ; *e; e++)
        if (!strncmp(*e, "PATH=", 5))
            return *e + 5;
    return NULL;
}

/*
 * A bind whose source is a file (-b ~/.gitconfig:/root/.gitconfig): the
 * bind's dir fd is the file's directory and only its name is reached
 * there (src/dispatch/fs.c). The source is resolved on the host first, as
 * mount --bind resolves it, so the name is no symlink. An fd, or -1 with
 * errno set.
 */
static int open_file_bind(struct kbox_bind *b)
{
    char *real = realpath(b->host_src, NULL), *slash;
    int fd, e;

    if (!real)
        return -1;
    slash = strrchr(real, '/');
    b->file = strdup(slash + 1);
    *slash = '\0';
    fd = b->file ? open(real[0] ? real : "/", O_PATH | O_DIRECTORY | O_CLOEXEC)
                 : -1;
    e = b->file ? errno : ENOMEM;
    free(real);
    errno = e;
    return fd;
}

/*
 * The source as the host names the opened directory (and file): mount
 * --bind resolves symlinks in it, and the host paths kbox reads back
 * (/proc/<pid>/fd links, a cwd) are matched against this text. A source
 * given through a symlink matched none: a bind file's link showed its
 * host path, and fexecve of a set-ID one gave no ids. 0 or -1.
 */
static int canonical_src(struct kbox_bind *b, int fd)
{
    char link[64], p[KBOX_PATH_MAX], *c;
    ssize_t n;
    int l;

    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    n = readlink(link, p, sizeof(p) - 1);
    if (n <= 0 || p[0] != '/')
        return -1;
    p[n] = '\0';
    l = b->file ? snprintf(NULL, 0, "%s/%s", strcmp(p, "/") ? p : "", b->file)
                : (int)n;
    c = malloc((size_t)l + 1);
    if (!c)
        return -1;
    if (b->file)
        snprintf(c, (size_t)l + 1, "%s/%s", strcmp(p, "/") ? p : "", b->file);
    else
        memcpy(c, p, (size_t)n + 1);
    free(b->host_src);
    b->host_src = c;
    return 0;
}

/*
 * -w inside a bind: lx's chdir checks a -w in the image, but a bind's
 * place is the host's, and a missing directory or a file there was taken
 * as the guest's cwd (pwd printed it, every relative name failed).
 * 0, or -ENOENT/-ENOTDIR; what the walk cannot judge beneath the bind (an
 * absolute symlink the routes resolve in the guest's tree) passes.
 */
static int workdir_bind_check(const struct kbox_opts *o)
{
    char norm[KBOX_PATH_MAX];
    struct kbox_route_result res;
    struct open_how how;
    int fd;

    if (kbox_path_normalize(o->work_dir, norm, sizeof(norm), false, NULL) < 0)
        return 0;
    res = kbox_path_route(norm, o->binds, o->nbinds, false);
    if (res.route != KBOX_ROUTE_BIND)
        return 0;
    if (o->binds[res.bind_index].file)
        return -ENOTDIR;
    memset(&how, 0, sizeof(how));
    how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    fd = (int)syscall(SYS_openat2, kbox_sup.bind_dirs[res.bind_index],
                      *res.rest ? res.rest : ".", &how, sizeof(how));
    if (fd >= 0) {
        close(fd);
        return 0;
    }
    return errno == ENOENT || errno == ENOTDIR ? -errno : 0;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;

    return (x > y) - (x < y);
}

/*
 * Record the fds past 2 kbox was started with, before it opens any of
 * its own: the guest gets them (kbox_seccomp_launch), as a program run
 * by chroot gets every fd its caller left open (`3>log`, a make
 * jobserver's pipe, sockets passed by a service manager). Not directory
 * or O_PATH fds: from one of those (often leaked unknowingly) the guest
 * would walk the host's tree, /proc/self/fd/N/.. and on.
 */
static void note_inherited_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0, cap = 0, *v = NULL;

    if (!d)
        return;
    while ((e = readdir(d))) {
        char *end;
        long fd = strtol(e->d_name, &end, 10);
        int *nv;

        struct stat st;
        int fl;

        if (*end || end == e->d_name || fd < 3 || fd == dirfd(d))
            continue;
        fl = fcntl((int)fd, F_GETFL);
        if (fl < 0 || (fl & O_PATH) || fstat((int)fd, &st) ||
            S_ISDIR(st.st_mode))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            nv = realloc(v, (size_t)cap * sizeof(*v));
            if (!nv)
                break;
            v = nv;
        }
        v[n++] = (int)fd;
    }
    closedir(d);
    if (n)
        qsort(v, (size_t)n, sizeof(*v), cmp_int);
    kbox_sup.inherited_fds = v;
    kbox_sup.ninherited_fds = n;
}

/*
 * kbox's own descriptors (the image, the listener, a pidfd per guest
 * process, memfds) count against the open-file limit it is started
 * with, and a hard one it cannot raise: under `ulimit -n 20` every
 * request failed (EPERM, status 126, nothing said), under 64 a shell's
 * 30 background jobs hit EMFILE. Too low a hard limit is one line.
 */
#define NOFILE_MIN 128
static int nofile_check(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_max >= NOFILE_MIN)
        return 0;
    fprintf(stderr,
            "kbox: the open-file limit (ulimit -n %lu) is too low: kbox needs "
            "at least %d\n",
            (unsigned long)rl.rlim_max, NOFILE_MIN);
    return -EMFILE;
}

/*
 * lx's kernel threads (~23), kbox's workers, sentinel and guard are
 * threads of the user kbox runs as, so they count against RLIMIT_NPROC
 * and a pids cgroup's pids.max. Where some could not start, lx crashed
 * (SIGSEGV, "kernel panic: BUG!", "Failed to create kblockd") or its boot
 * failed with EAGAIN, under `ulimit -u 5..40` or pids.max 3..25. Too
 * little room is one line before anything starts.
 */
#define THREADS_MIN      48
#define NPROC_SCAN_BELOW 4096
static long count_user_tasks(uid_t uid)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    long n = 0;

    if (!d)
        return -1;
    while ((e = readdir(d))) {
        char path[300], line[256];
        unsigned long ruid = ~0ul;
        long threads = 0;
        FILE *f;

        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof(path), "/proc/%s/status", e->d_name);
        if (!(f = fopen(path, "re")))
            continue;
        while (fgets(line, sizeof(line), f)) {
            if (!strncmp(line, "Uid:", 4))
                ruid = strtoul(line + 4, NULL, 10);
            else if (!strncmp(line, "Threads:", 8))
                threads = strtol(line + 8, NULL, 10);
        }
        fclose(f);
        if (ruid == uid)
            n += threads;
    }
    closedir(d);
    return n;
}

/* Room left in this process's pids cgroups (v2, or v1's pids), or -1. */
static long cgroup_pids_room(void)
{
    char line[512], dir[600], v[64];
    long room = -1;
    FILE *f = fopen("/proc/self/cgroup", "re");

    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f)) {
        char *path = strchr(line, ':'), *ctl = path ? path + 1 : NULL, *end;

        if (!ctl || !(path = strchr(ctl, ':')))
            continue;
        *path++ = '\0';
        path[strcspn(path, "\n")] = '\0';
        if (!*ctl)
            snprintf(dir, sizeof(dir), "/sys/fs/cgroup%s", path);
        else if (!strcmp(ctl, "pids"))
            snprintf(dir, sizeof(dir), "/sys/fs/cgroup/pids%s", path);
        else
            continue;
        /* this cgroup and each above it */
        for (;;) {
            char p[700];
            long max, cur;
            FILE *m;

            snprintf(p, sizeof(p), "%s/pids.max", dir);
            max = -1;
            if ((m = fopen(p, "re"))) {
                if (fgets(v, sizeof(v), m) && v[0] >= '0' && v[0] <= '9')
                    max = strtol(v, NULL, 10);
                fclose(m);
            }
            snprintf(p, sizeof(p), "%s/pids.current", dir);
            if (max >= 0 && (m = fopen(p, "re"))) {
                if (fgets(v, sizeof(v), m)) {
                    cur = strtol(v, NULL, 10);
                    if (room < 0 || max - cur < room)
                        room = max - cur;
                }
                fclose(m);
            }
            end = strrchr(dir, '/');
            if (!end || end <= dir + strlen("/sys/fs/cgroup"))
                break;
            *end = '\0';
        }
    }
    fclose(f);
    return room;
}

static int nproc_check(void)
{
    struct rlimit rl;
    long room = cgroup_pids_room(), used;
    bool limited = room >= 0;
    char what[96] = "the pids cgroup's limit (pids.max)";

    /* the count reads every process's status: only for low limits (a
     * distribution's default is in the tens of thousands) */
    if (geteuid() != 0 && getrlimit(RLIMIT_NPROC, &rl) == 0 &&
        rl.rlim_cur < NPROC_SCAN_BELOW &&
        (used = count_user_tasks(getuid())) >= 0 &&
        (!limited || (long)rl.rlim_cur - used < room)) {
        room = (long)rl.rlim_cur - used;
        limited = true;
        snprintf(what, sizeof(what), "the process limit (ulimit -u %lu)",
                 (unsigned long)rl.rlim_cur);
    }
    if (!limited || room >= THREADS_MIN)
        return 0;
    fprintf(stderr,
            "kbox: %s leaves room for %ld more threads of this user: kbox "
            "needs at least %d\n",
            what, room < 0 ? 0 : room, THREADS_MIN);
    return -EAGAIN;
}

/*
 * An address-space limit (ulimit -v) is meant for the guest, as under
 * chroot, but kbox's own process holds lx's RAM (512 MiB by default, the
 * kernel's CONFIG_LX_DEFAULT_MEM_MB), its threads' stacks and malloc
 * arenas (64 MiB of address space each, up to 16 on two CPUs), and maps
 * the programs it starts. Under `ulimit -v 1000000` the arenas took the
 * room and a thread could not start ("supervisor failed: Resource
 * temporarily unavailable"); under 1200000 python3's exec failed ENOMEM;
 * under 400000 lx's RAM could not be had at all. A data limit (ulimit
 * -d, which lx's private RAM counts against) the same. So with either,
 * kbox keeps to one arena, takes the hard limits for itself (the guest
 * gets the soft ones back at its start, kbox_seccomp_launch), and sizes
 * lx's RAM to fit unless -k gives mem=.
 */
#define AS_KBOX_MIB   192 /* kbox's own share, besides lx's RAM */
#define AS_LX_MIN_MIB 64
#define AS_LX_DEF_MIB 512
static int as_limit_setup(struct kbox_opts *o)
{
    static const struct {
        int res;
        const char *what;
    } lim[2] = { { RLIMIT_AS, "address-space limit (ulimit -v" },
                 { RLIMIT_DATA, "data size limit (ulimit -d" } };
    static char cmdline[4096];
    const char *k = o->cmdline ? o->cmdline : "";
    unsigned long long mib = ~0ull, kib = 0;
    int tight = -1;

    for (int i = 0; i < 2; i++) {
        struct rlimit rl;

        if (getrlimit(lim[i].res, &rl) || rl.rlim_cur == RLIM_INFINITY)
            continue;
        kbox_sup.guest_mem_lim[i] = rl;
        kbox_sup.guest_mem_lim_set[i] = true;
        /* the main arena (brk) only: each other one reserves 64 MiB,
         * the room of 64 workers' stacks */
        mallopt(M_ARENA_MAX, 1);
        if (rl.rlim_cur != rl.rlim_max) {
            rl.rlim_cur = rl.rlim_max;
            setrlimit(lim[i].res, &rl);
        }
        if (rl.rlim_cur != RLIM_INFINITY &&
            (unsigned long long)rl.rlim_cur >> 20 < mib) {
            mib = (unsigned long long)rl.rlim_cur >> 20;
            kib = (unsigned long long)rl.rlim_cur >> 10;
            tight = i;
        }
    }
    if (tight < 0 || !strncmp(k, "mem=", 4) || strstr(k, " mem="))
        return 0;
    if (mib < AS_KBOX_MIB + AS_LX_MIN_MIB) {
        fprintf(stderr,
                "kbox: the %s %llu) is too low: kbox needs at least %d MiB\n",
                lim[tight].what, kib, AS_KBOX_MIB + AS_LX_MIN_MIB);
        return -ENOMEM;
    }
    if (mib - AS_KBOX_MIB >= AS_LX_DEF_MIB)
        return 0;
    /* first: a mem= of the user's own after it wins */
    snprintf(cmdline, sizeof(cmdline), "mem=%lluM %s", mib - AS_KBOX_MIB, k);
    o->cmdline = cmdline;
    return 0;
}

static int kbox_main(int argc, char **argv)
{
    static struct kbox_opts o;
    char err[512], cmd[KBOX_PATH_MAX];
    int rc, img_fd, booted = 0, listener = -1, pidfd = -1, status = 1;
    int wplace[2];
    struct lx_task *task;
    pid_t pid;

    clock_gettime(CLOCK_MONOTONIC, &t_start);
    note_inherited_fds();
    rc = kbox_cli_parse(argc, argv, &o, stdout, err, sizeof(err));
    if (rc == KBOX_CLI_EXIT0)
        return 0;
    if (rc != KBOX_CLI_OK) {
        fprintf(stderr, "kbox: %s\n", err);
        return 2;
    }
    kbox_sup.opts = &o;
    kbox_sup.verbose = o.verbose;
    kbox_sup.hostdev_dir = -1;
    kbox_sup.hostproc_dir = -1;
    kbox_sup.hostcpu_dir = -1;

    /* Host-side resources first: fail before touching the image. */
    if ((rc = nofile_check()) < 0 || (rc = nproc_check()) < 0 ||
        (rc = as_limit_setup(&o)) < 0)
        return 1;
    kbox_sup.bind_dirs = calloc((size_t)o.nbinds + 1, sizeof(int));
    for (int i = 0; i < o.nbinds; i++) {
        int fd = open(o.binds[i].host_src, O_PATH | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0 && errno == ENOTDIR)
            fd = open_file_bind(&o.binds[i]);
        if (fd < 0) {
            fprintf(stderr, "kbox: bind source '%s': %s\n", o.binds[i].host_src,
                    strerror(errno));
            return 1;
        }
        if (canonical_src(&o.binds[i], fd)) {
            fprintf(stderr, "kbox: bind source '%s': cannot name it\n",
                    o.binds[i].host_src);
            return 1;
        }
        kbox_sup.bind_dirs[i] = fd;
    }
    if (o.work_dir && (rc = workdir_bind_check(&o))) {
        fprintf(stderr, "kbox: work dir '%s': %s\n", o.work_dir, strerror(-rc));
        return 1;
    }
    kbox_sup.hostdev_dir = open("/dev", O_PATH | O_DIRECTORY | O_CLOEXEC);
    kbox_sup.hostproc_dir = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
    kbox_sup.hostcpu_dir =
        open("/sys/devices/system/cpu", O_PATH | O_DIRECTORY | O_CLOEXEC);
    kbox_sup.placeholder_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (kbox_sup.placeholder_fd < 0) {
        fprintf(stderr, "kbox: cannot open /dev/null: %s\n", strerror(errno));
        return 1;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, wplace) < 0) {
        fprintf(stderr, "kbox: cannot make a socket pair: %s\n",
                strerror(errno));
        return 1;
    }
    /* wplace[1] stays open (unused) so the placeholder never hangs up. */
    kbox_sup.placeholder_w_fd = wplace[0];

    /* Whatever ends kbox (even SIGKILL) ends the guest's processes too. */
    rc = kbox_guard_start();
    if (rc < 0 && o.verbose)
        fprintf(stderr, "kbox: warning: no guard process: %s\n", strerror(-rc));
    if (early_stop(&status))
        goto out;
    img_fd = kbox_image_open(&o);
    if (img_fd < 0)
        return 1;
    /*
     * Boot, mount and the first lookups hand work between kernel threads
     * all along; on one CPU that is ~2.5 ms faster (docs/supervisor.md).
     * The guest is started with the mask the user gave us.
     */
    lx_pin_threads(1);
    step("image open");
    if (kbox_image_setup(&o, img_fd, &booted) || early_stop(&status))
        goto out;
    kbox_sup.host_pts = kbox_image_host_pts();
    step("kernel booted, image mounted");
    if (kbox_image_resolve_ids(&o))
        goto out;
    task = kbox_image_guest_task(&o);
    if (!task)
        goto out;
    /* Holds image files in flight in SCM_RIGHTS messages. */
    kbox_sup.holder = lx_task_fork(NULL, 0);
    if (kbox_sup.holder) {
        /* It also keeps an fd per inode mapped shared (shmap.c) until the
         * mapping process ends: lx's highest limit, not 1024. */
        struct rlimit nofile = { 1 << 20, 1 << 20 };
        long a[6] = { 0, ~0L, 0, 0, 0, 0 };
        long l[6] = { 0, RLIMIT_NOFILE, (long)&nofile, 0, 0, 0 };

        lx_task_syscall(kbox_sup.holder, LX__NR_close_range, a);
        lx_task_syscall(kbox_sup.holder, LX__NR_prlimit64, l);
    }

    content_cache_open(task);
    step("guest task ready");

    {
        /* relative names from -w, which lx's cwd is not when in a bind */
        char wd[KBOX_PATH_MAX];
        bool in_bind = o.work_dir && kbox_image_workdir_in_bind(&o) &&
                       kbox_image_workdir_path(&o, wd, sizeof(wd)) >= 0;

        rc = kbox_exec_resolve(task, &o, o.argv[0], env_path(),
                               in_bind ? wd : NULL, cmd, sizeof(cmd));
    }
    if (rc) {
        fprintf(stderr, "kbox: %s: %s\n", o.argv[0],
                rc == -ENOENT ? "not found" : strerror(-rc));
        status = rc == -ENOENT ? 127 : 126;
        lx_task_exit(task);
        goto out;
    }
    kbox_exec_set_comm(task, cmd);
    /* the last look: one that comes later goes to the guest */
    if (make_exec_dir() || early_stop(&status)) {
        lx_task_exit(task);
        goto out;
    }

    lx_pin_threads(0);
    step("command resolved");
    {
        /* The guest starts with the user's umask, as under chroot. */
        mode_t um = umask(022);
        long a[6] = { (long)um };

        umask(um);
        lx_task_syscall(task, LX__NR_umask, a);
    }
    kbox_sup.guest_user_start = geteuid() == 0 && o.change_id && o.uid != 0;
    {
        char **env = guest_env(&o, task);

        pid = kbox_seccomp_launch(cmd, o.argv, env, kbox_sup.exec_dir,
                                  &listener, &pidfd);
        /* the forked guest has its copy; kept, LeakSanitizer (make
         * MODE=debug) reported it and made every such run exit 1 */
        if (env != environ)
            free(env);
    }
    if (pid < 0) {
        if (pid == -EOPNOTSUPP || pid == -ENOSYS)
            fprintf(stderr, "kbox: the host kernel does not support seccomp "
                            "user notification\n");
        else if (pid == -EBUSY)
            /* seccomp allows one listener per filter chain: kbox run in
             * a kbox guest, or under another supervisor */
            fprintf(stderr,
                    "kbox: cannot start the guest: a seccomp listener is "
                    "already installed on this process (kbox inside kbox, "
                    "or another supervisor)\n");
        else
            fprintf(stderr, "kbox: cannot start the guest: %s\n",
                    strerror((int)-pid));
        lx_task_exit(task);
        goto out;
    }
    child_pidfd = pidfd;
    step("guest started");
    /* The guest has them now; kbox's copies would keep a pipe's reader
     * from seeing EOF when the guest closes its own. */
    for (int i = 0; i < kbox_sup.ninherited_fds; i++)
        close(kbox_sup.inherited_fds[i]);
    /*
     * kbox creates the guest's files in binds itself, with the guest's
     * umask (lx's) applied: its own must not mask them again. Its own
     * files all have explicit, private modes.
     */
    umask(0);
    kbox_sup.main_pid = pid;
    {
        struct kbox_proc *p = kbox_proc_add(pid, task);
        struct rlimit fs;

        /* the guest's file size limit (kbox's own) holds in lx too */
        if (getrlimit(RLIMIT_FSIZE, &fs) == 0 && fs.rlim_cur != RLIM_INFINITY) {
            long a[6] = { 0, RLIMIT_FSIZE, (long)&fs, 0, 0, 0 };

            lx_task_syscall(task, LX__NR_prlimit64, a);
        }
        /* ... and its message queue bytes (ulimit -q): lx serves POSIX
         * message queues and counts them against its own copy, which
         * had Linux's default (819200), so `ulimit -q 0` let mq_open
         * succeed where it is EMFILE natively. */
        if (getrlimit(RLIMIT_MSGQUEUE, &fs) == 0) {
            long a[6] = { 0, RLIMIT_MSGQUEUE, (long)&fs, 0, 0, 0 };

            lx_task_syscall(task, LX__NR_prlimit64, a);
        }

        if (p && kbox_image_workdir_in_bind(&o)) {
            char g[KBOX_PATH_MAX];

            if (kbox_image_workdir_path(&o, g, sizeof(g)) >= 0)
                kbox_bind_cwd_set(p, NULL, -1, g);
        }
    }

    /* The terminal's signals are the guest's business; kbox reports. */
    {
        struct sigaction sa;

        memset(&sa, 0, sizeof(sa));
        sa.sa_sigaction = relay_sent_signal;
        sa.sa_flags = SA_SIGINFO | SA_RESTART;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGQUIT, &sa, NULL);
    }
    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, forward_signal);
    signal(SIGHUP, forward_signal);
    /* Signals that would end kbox itself at once (no sync: the guest's
     * last writes were lost) go to the guest, as if kbox were its
     * command; kbox ends when it does, and with its status. */
    signal(SIGUSR1, forward_signal);
    signal(SIGUSR2, forward_signal);
    signal(SIGALRM, forward_signal);
    signal(SIGVTALRM, forward_signal);
    signal(SIGPROF, forward_signal);
    signal(SIGXCPU, forward_signal);
    /* an image write past RLIMIT_FSIZE fails (EFBIG) instead */
    signal(SIGXFSZ, SIG_IGN);
    {
        /* Signals pending since kbox's start go to the guest now (which
         * blocks them too, so they stay pending there, as natively). */
        static const int fwd[] = { SIGINT,  SIGQUIT, SIGTERM, SIGHUP,
                                   SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM,
                                   SIGPROF, SIGXCPU };
        sigset_t s;

        sigemptyset(&s);
        for (size_t i = 0; i < sizeof(fwd) / sizeof(fwd[0]); i++)
            sigaddset(&s, fwd[i]);
        sigprocmask(SIG_UNBLOCK, &s, NULL);
    }

    {
        /* Its own, now that the guest has the limit it was started with:
         * kbox holds a pidfd per guest process, and memfds. */
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
            rl.rlim_cur = rl.rlim_max;
            setrlimit(RLIMIT_NOFILE, &rl);
        }
        /* The guest's file size limit is lx's now (above); kbox's own
         * copies of programs and files must not stop at it. */
        if (getrlimit(RLIMIT_FSIZE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
            rl.rlim_cur = rl.rlim_max;
            setrlimit(RLIMIT_FSIZE, &rl);
        }
        /*
         * A CPU time limit (ulimit -t) counts each process's own time:
         * the guest's processes have theirs from the start, but kbox's
         * time serving them (its lx threads) is not the guest's. It
         * counted: kbox got SIGXCPU, passed it on and the guest died of
         * it (or kbox of SIGKILL at the hard limit, its last writes lost)
         * where the command runs natively. kbox takes the hard limit, or
         * none where it may (root).
         */
        if (getrlimit(RLIMIT_CPU, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
            struct rlimit none = { RLIM_INFINITY, RLIM_INFINITY };

            if (setrlimit(RLIMIT_CPU, &none)) {
                rl.rlim_cur = rl.rlim_max;
                setrlimit(RLIMIT_CPU, &rl);
            }
        }
    }
    status = kbox_seccomp_serve(listener, pidfd, pid);
    if (status < 0) {
        fprintf(stderr, "kbox: supervisor failed: %s\n", strerror(-status));
        status = 1;
    }
    close(listener);
    step("guest exited");
    if (o.verbose) {
        for (int i = 0; i < 512; i++)
            if (kbox_sup.unknown_count[i])
                fprintf(stderr,
                        "kbox: unimplemented syscall %s (%d): %lu calls\n",
                        kbox_syscall_name(i), i, kbox_sup.unknown_count[i]);
    }
    while (kbox_sup.procs)
        kbox_proc_remove(kbox_sup.procs);
    kbox_proc_release_orphans();
    kbox_zombie_release_all();
    kbox_shmap_close_all();
    kbox_ipc_release();
    kbox_tokens_end(); /* the holder task */
out:
    content_cache_close();
    remove_exec_dir();
    fflush(stdout);
    step("guest state released");
    if (booted && kbox_image_halt(o.verbose) && status == 0)
        status = 1;
    if (booted)
        step("synced, unmounted, halted");
    kbox_guard_stop();
    kbox_cli_free(&o);
    return status;
}

/*
 * kbox's main thread runs on the stack RLIMIT_STACK allows (its other
 * threads have stacks of their own size): under `ulimit -s 32` kbox died
 * of SIGSEGV setting up the image, where a guest program runs natively.
 * The guest gets the limit back at its start (kbox_seccomp_launch); kbox
 * raises its own soft limit, or where the hard limit is below what it
 * needs, runs on a thread's stack of that size.
 */
#define MAIN_STACK (8UL << 20)
struct main_args {
    int argc;
    char **argv;
    int rc;
};

static void *main_thread(void *p)
{
    struct main_args *m = p;

    m->rc = kbox_main(m->argc, m->argv);
    return NULL;
}

/*
 * The signal state kbox was started with is the guest's, as exec keeps it
 * for a program run by chroot: a blocked mask (a parent that blocked
 * SIGTERM or SIGCHLD before its exec) and an ignored SIGCHLD (a parent
 * that set SIG_IGN and does not wait). Not kbox's: with SIGCHLD ignored
 * the host reaped the guest's main process itself, kbox's waitid found
 * nothing and its serve loop spun for ever, SIGTERM included; with a
 * mask, kbox's threads could not be woken nor kbox be signalled. A
 * signal already pending stays blocked in kbox until it has handlers
 * (kbox_main), which pass it on.
 */
static void take_guest_signals(void)
{
    struct sigaction sa;
    sigset_t pending, keep;

    sigprocmask(SIG_SETMASK, NULL, &kbox_sup.guest_sigmask);
    sigemptyset(&keep);
    if (sigpending(&pending) == 0)
        for (int s = 1; s < NSIG; s++)
            if (sigismember(&pending, s) == 1 &&
                sigismember(&kbox_sup.guest_sigmask, s) == 1)
                sigaddset(&keep, s);
    /* kbox's own: the serve loop takes SIGCHLD only inside its ppoll
     * (src/tiers/seccomp/wake.c), no other thread may; set before any
     * thread, so that each is born with it */
    sigaddset(&keep, SIGCHLD);
    /* until kbox_main has handlers (early_stop) */
    for (size_t i = 0; i < sizeof(stop_sigs) / sizeof(stop_sigs[0]); i++)
        sigaddset(&keep, stop_sigs[i]);
    sigprocmask(SIG_SETMASK, &keep, NULL);
    /* the raw call: glibc refuses to show its own 32 and 33, which a
     * parent may ignore too (CI's do) */
    for (int s = 1; s <= 64; s++) {
        struct kbox_ksigaction old;

        if (syscall(SYS_rt_sigaction, s, NULL, &old, 8) == 0 &&
            old.handler == SIG_IGN)
            kbox_sup.guest_sig_ign |= 1ull << (s - 1);
    }
    if (sigaction(SIGCHLD, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN) {
        kbox_sup.guest_sigchld_ign = true;
        signal(SIGCHLD, SIG_DFL);
    }
}

int main(int argc, char **argv)
{
    struct rlimit rl;

    take_guest_signals();

    if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur < MAIN_STACK) {
        kbox_sup.guest_stack = rl;
        kbox_sup.guest_stack_set = true;
        rl.rlim_cur = rl.rlim_max < MAIN_STACK ? rl.rlim_max : MAIN_STACK;
        setrlimit(RLIMIT_STACK, &rl);
        if (rl.rlim_cur < MAIN_STACK) {
            struct main_args m = { argc, argv, 1 };
            pthread_attr_t a;
            pthread_t t;

            pthread_attr_init(&a);
            pthread_attr_setstacksize(&a, MAIN_STACK);
            if (pthread_create(&t, &a, main_thread, &m) == 0) {
                pthread_join(t, NULL);
                return m.rc;
            }
        }
    }
    return kbox_main(argc, argv);
}
