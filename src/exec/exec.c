/* SPDX-License-Identifier: MIT */
/*
 * execve/execveat from the image (seccomp tier).
 *
 * The supervisor resolves everything itself: it opens the file in lx as
 * the guest (so the kernel checks exec permission), copies it into a
 * sealed memfd and, for PT_INTERP binaries, copies the interpreter into a
 * second memfd and rewrites PT_INTERP to "/proc/thread-self/fd/N" (or
 * /proc/self where that does not fit). Both memfds are injected into the
 * guest close-on-exec. The guest's path string is then overwritten with
 * the decimal number of the program memfd, F, and the host kernel runs
 * the execve: the guest's host cwd is kbox's private exec directory,
 * where "F" is a symlink to "/proc/thread-self/fd/F". argv and envp are
 * untouched (for #! scripts, argv is rewritten in place the way
 * the kernel's binfmt_script would build it).
 *
 * Residual risk (documented in docs/supervisor.md): between the rewrite
 * and the host's read of the path another thread sharing the guest's
 * memory could change the string; it can only name a host file that the
 * same filter then confines.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/kcmp.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "internal.h"
#include "journal.h"
#include "kbox/abi.h"
#include "kbox/cache.h"
#include "kbox/cli.h"
#include "kbox/dispatch.h"
#include "kbox/elf.h"
#include "kbox/exec.h"
#include "kbox/fdtable.h"
#include "kbox/path.h"

#define MAX_EXEC_SIZE (1L << 30)
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

static long lx_t(struct lx_task *t, long nr, long a0, long a1, long a2, long a3,
                 long a4)
{
    long args[6] = { a0, a1, a2, a3, a4, 0 };

    return lx_task_syscall(t, nr, args);
}

/*
 * fexecve of a host object the guest holds (a memfd, a file in a bind,
 * an O_PATH fd of one): its content, as kbox_prog_open_host gives it, and its
 * guest name for /proc/self/exe (a bind file's guest path, else the
 * host's name: "/memfd:x (deleted)"). Until the eighteenth session the
 * host ran the fd itself: its PT_INTERP and #! interpreter came from the
 * host's file system (a script in a bind ran a host-only program), and
 * none of exec's bookkeeping was done (close-on-exec image files stayed
 * in kbox's map, so a new pipe at that number read the image file;
 * /proc/self/exe named the old program).
 */
static long open_image_guest_fd(struct kbox_req *r, int gfd, struct image *img)
{
    char link[64], hp[KBOX_PATH_MAX], name[256] = "";
    struct stat st;
    ssize_t n;
    long rc;
    int hfd;

    snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)r->pid, gfd);
    n = readlink(link, hp, sizeof(hp) - 1);
    if (n <= 0)
        return -EBADF;
    hp[n] = '\0';
    /* nothing but a regular file is opened (a pipe's open could wait) */
    if (stat(link, &st))
        return errno == ENOENT ? -EBADF : -errno;
    if (!S_ISREG(st.st_mode))
        return -EACCES;
    hfd = open(link, O_RDONLY | O_CLOEXEC);
    if (hfd < 0)
        return errno == ENOENT ? -EBADF : -errno;
    /* a memfd's copy keeps its name: the host names the process after
     * it (comm "memfd:x", as for the guest's own memfd) */
    if (!strncmp(hp, "/memfd:", 7)) {
        char *e = strstr(hp, " (deleted)");

        size_t l = e ? (size_t)(e - hp - 7) : strlen(hp + 7);

        snprintf(name, sizeof(name), "%.*s", (int)(l < 240 ? l : 240), hp + 7);
    }
    kbox_ids_for_host(r); /* the exec permission is the guest's */
    rc = kbox_prog_open_host(hfd, img, name[0] ? name : NULL, false);
    kbox_ids_restore(r);
    /* a bind's set-ID program gives its rights; a memfd (the guest's
     * host process owns it) or another host object never does (told
     * there by its host path, as for the path forms) */
    if (!rc)
        rc = kbox_prog_host_creds(r->task, hfd, img, false);
    /* a bind's file by its guest path, else the host's name */
    kbox_host_link_to_guest(hp, (long)strlen(hp), sizeof(hp));
    if (rc)
        kbox_prog_close(img);
    close(hfd);
    if (rc)
        return rc;
    snprintf(img->where, sizeof(img->where), "%s", hp);
    return 0;
}

/*
 * Inject host fd @src into the guest close-on-exec at its lowest free
 * number (the program's and the interpreter's copies). Natively an exec
 * takes no fd number, so it works with no number free below the soft
 * RLIMIT_NOFILE (`ulimit -Sn 4; /bin/echo hi` said "Too many open
 * files"): only then, the soft limit is raised to the hard one for the
 * injection and put back at once - a number at or past the limit stays
 * valid, and the exec closes it. With the soft limit at the hard one
 * (dash's `ulimit -n 4` sets both) the EMFILE stays.
 */
static int exec_addfd(struct kbox_req *r, int src)
{
    struct rlimit rl, up;
    int gfd = r->ops->addfd(r, src, -1, true, false);

    if (gfd != -EMFILE ||
        prlimit(r->proc->tgid, RLIMIT_NOFILE, NULL, &rl) != 0 ||
        rl.rlim_cur >= rl.rlim_max)
        return gfd;
    up = rl;
    up.rlim_cur = rl.rlim_max;
    if (prlimit(r->proc->tgid, RLIMIT_NOFILE, &up, NULL) != 0)
        return gfd;
    gfd = r->ops->addfd(r, src, -1, true, false);
    prlimit(r->proc->tgid, RLIMIT_NOFILE, &rl, NULL);
    return gfd;
}

/* An argv/envp entry that pointed into the path, @off bytes in. */
struct alias_ref {
    uint32_t list, index, off; /* list 0: argv, 1: envp */
};

#define MAX_ALIAS_REFS 64

/* Interpreters an exec may go through: Linux gives up past 5 (ELOOP). */
#define SCRIPT_LEVELS 5

struct kbox_exec_again {
    char path[KBOX_PATH_MAX];   /* as the caller gave it (or /dev/fd/N/...) */
    char room[KBOX_PATH_MAX];   /* the bytes it had at the path pointer */
    char script[KBOX_PATH_MAX]; /* a script's name for its interpreter */
    int nrefs;
    struct alias_ref refs[MAX_ALIAS_REFS];
    /* What the child's exec prepared, for the trampoline's exec to run
     * without opening and copying it all again: the program's memfd, its
     * interpreter's and the number the program names that one by (-1:
     * static), the #! levels, and /proc/self/exe's path. */
    int prog, interp, interp_gfd;
    int nl;
    struct kbox_script_info si[SCRIPT_LEVELS];
    char exe_path[KBOX_PATH_MAX];
    bool img_where;
    int gate; /* the trampoline copy's gate (gate.c), or -1 */
    pid_t gate_child;
    /* The script's last interpreter when it is set-user/group-ID or has
     * file capabilities: lx's root task's fd of it, -1 otherwise. Linux
     * takes exec's credentials from that file (binfmt_script makes it
     * bprm->file); the trampoline's exec prepares them. */
    int cred_file;
};

void kbox_exec_again_free(struct kbox_exec_again *a)
{
    if (!a)
        return;
    if (a->prog >= 0)
        close(a->prog);
    if (a->interp >= 0)
        close(a->interp);
    if (a->gate >= 0)
        kbox_gate_close(a->gate, a->gate_child);
    if (a->cred_file >= 0)
        lx_t(lx_task_root(), LX__NR_close, a->cred_file, 0, 0, 0, 0);
    free(a);
}

/*
 * Call @fn for each argv and envp entry pointing into the path (@plen
 * bytes at @upath): list 0 argv, 1 envp; @slot is the entry's address.
 * Stops at @fn's first non-zero return and returns it, or -EFAULT.
 */
static int walk_path_refs(struct kbox_req *r, uint64_t upath, size_t plen,
                          uint64_t uargv, uint64_t uenvp,
                          int (*fn)(void *ctx, uint32_t list, uint32_t index,
                                    uint64_t slot, uint64_t p),
                          void *ctx)
{
    uint64_t lists[2] = { uargv, uenvp };

    for (uint32_t l = 0; l < 2; l++) {
        struct ptr_reader pr = { .base = lists[l] };

        for (uint32_t i = 0; lists[l] && i < 65536; i++) {
            uint64_t p;
            int rc;

            if (kbox_exec_ptr_at(r, &pr, i, &p))
                return -EFAULT;
            if (!p)
                break;
            if (p < upath || p > upath + plen)
                continue;
            rc = fn(ctx, l, i, lists[l] + 8 * (uint64_t)i, p - upath);
            if (rc)
                return rc;
        }
    }
    return 0;
}

struct refs_ctx {
    struct alias_ref *out;
    int n, max;
};

static int add_ref(void *ctx, uint32_t list, uint32_t index, uint64_t slot,
                   uint64_t off)
{
    struct refs_ctx *c = ctx;

    (void)slot;
    if (c->n == c->max)
        return -E2BIG;
    c->out[c->n].list = list;
    c->out[c->n].index = index;
    c->out[c->n].off = (uint32_t)off;
    c->n++;
    return 0;
}

/* The argv/envp entries pointing into the path (@plen bytes at @upath). */
static int alias_refs(struct kbox_req *r, uint64_t upath, size_t plen,
                      uint64_t uargv, uint64_t uenvp, struct alias_ref *out,
                      int max)
{
    struct refs_ctx c = { out, 0, max };
    int rc = walk_path_refs(r, upath, plen, uargv, uenvp, add_ref, &c);

    return rc ? rc : c.n;
}

/*
 * In the trampoline's exec: the entries that pointed into the child's
 * path read kbox's alias there; they get the bytes the path had, in
 * scratch memory of the trampoline's own.
 */
static int fix_alias_refs(struct kbox_req *r, struct exec_journal *j,
                          const struct kbox_exec_again *a, uint64_t uargv,
                          uint64_t uenvp)
{
    uint64_t copy = 0;

    for (int i = 0; i < a->nrefs; i++) {
        uint64_t list = a->refs[i].list ? uenvp : uargv, p;
        int rc;

        if (!list)
            continue;
        if (!copy) {
            rc =
                kbox_journal_scratch(r, j, a->room, strlen(a->room) + 1, &copy);
            if (rc)
                return rc;
        }
        p = copy + a->refs[i].off;
        rc = r->ops->poke(r, list + 8 * (uint64_t)a->refs[i].index, &p, 8);
        if (rc)
            return rc;
    }
    return 0;
}

/*
 * For a child sharing its parent's memory (@shares: every exec of one goes
 * through a gate, gate.c) or whose argv must change (a #! @script's, or
 * entries pointing into the path): exec the trampoline instead (*@prog
 * becomes it). 0 with *@tramp false: no need, no trampoline, or too many
 * such entries (then they move in place).
 */
static int use_trampoline(struct kbox_req *r, uint64_t upath, const char *path,
                          const char *room, const char *script_name,
                          uint64_t uargv, uint64_t uenvp, bool script,
                          bool shares, int *prog, bool *tramp)
{
    struct kbox_exec_again *a = calloc(1, sizeof(*a));
    int t = -1, n;

    if (!a)
        return -ENOMEM;
    a->gate = -1;
    a->cred_file = -1;
    n = alias_refs(r, upath, strlen(room), uargv, uenvp, a->refs,
                   MAX_ALIAS_REFS);
    a->gate_child = r->pid;
    if (n >= 0 && shares)
        t = kbox_tramp_gated(r->pid, &a->gate);
    if (n < 0 || (t < 0 && ((!n && !script) || (t = kbox_tramp_fd()) < 0))) {
        free(a);
        return n == -EFAULT ? -EFAULT : 0;
    }
    if (strlen(path) >= sizeof(a->path) ||
        strlen(script_name) >= sizeof(a->script)) {
        free(a);
        return -ENAMETOOLONG;
    }
    a->nrefs = n;
    memcpy(a->path, path, strlen(path) + 1);
    snprintf(a->room, sizeof(a->room), "%s", room);
    memcpy(a->script, script_name, strlen(script_name) + 1);
    a->prog = *prog; /* for the trampoline's exec (reuse_prepared) */
    a->interp = -1;
    *prog = t;
    kbox_exec_again_free(r->proc->exec_again);
    r->proc->exec_again = a;
    *tramp = true;
    return 0;
}

/*
 * #! script: rebuild argv in place as the kernel does, one level at a
 * time: [interp, (arg), path, argv[1..]]; for a script whose interpreter
 * @si[1] is a script again, [interp1, (arg1), interp0, (arg0), path,
 * argv[1..]], and so on for @nl levels. The new strings go below the
 * guest's stack pointer; the array is written over the old one (its
 * extra slots overwrite memory the exec discards).
 */
static int rewrite_script_argv(struct kbox_req *r, struct exec_journal *j,
                               uint64_t uargv,
                               const struct kbox_script_info *si, int nl,
                               const char *path)
{
    uint64_t *ptrs = NULL, base, cur;
    size_t n = 0, cap = 0, total, lens[2 * SCRIPT_LEVELS + 1],
           offs[2 * SCRIPT_LEVELS + 1];
    const char *strs[2 * SCRIPT_LEVELS + 1];
    uint64_t *nv;
    char blob[(2 * SCRIPT_LEVELS + 1) * KBOX_SHEBANG_MAX + KBOX_PATH_MAX];
    size_t bl = 0, ns = 0;
    int rc;

    if (uargv) {
        struct ptr_reader pr = { .base = uargv };

        for (n = 0;; n++) {
            if (n == cap) {
                uint64_t *np = realloc(ptrs, (cap = cap ? 2 * cap : 256) * 8);

                if (!np) {
                    free(ptrs);
                    return -ENOMEM;
                }
                ptrs = np;
            }
            if (kbox_exec_ptr_at(r, &pr, n, &ptrs[n])) {
                free(ptrs);
                return -EFAULT;
            }
            if (!ptrs[n])
                break;
        }
    }
    /* the new leading entries, outermost interpreter first */
    strs[ns++] = si[nl - 1].interp;
    for (int k = nl - 1; k >= 0; k--) {
        if (si[k].has_arg)
            strs[ns++] = si[k].arg;
        strs[ns++] = k ? si[k - 1].interp : path;
    }
    for (size_t i = 0; i < ns; i++) {
        lens[i] = strlen(strs[i]) + 1;
        if (bl + lens[i] > sizeof(blob)) {
            free(ptrs);
            return -E2BIG;
        }
        memcpy(blob + bl, strs[i], lens[i]);
        offs[i] = bl;
        bl += lens[i];
    }
    total = (n ? n - 1 : 0) + ns + 1;
    nv = uargv ? calloc(total, sizeof(*nv)) : NULL;
    if (!nv || kbox_journal_scratch(r, j, blob, bl, &base)) {
        free(nv);
        free(ptrs);
        return !uargv ? -EFAULT : nv ? -EFAULT : -ENOMEM;
    }
    cur = 0;
    for (size_t i = 0; i < ns; i++)
        nv[cur++] = base + offs[i];
    for (size_t i = 1; i < n; i++)
        nv[cur++] = ptrs[i];
    nv[cur++] = 0;
    /* the old entries and, past them, what the longer array covers */
    rc = kbox_journal_write(r, j, uargv, nv, cur <= n + 1 ? ptrs : NULL,
                            cur * sizeof(*nv));
    free(nv);
    free(ptrs);
    return rc;
}

/*
 * The path string is about to be overwritten; argv/envp entries that
 * point into it (execve(argv[0], argv, ...) is common) are moved to a
 * copy of the original string below the guest's stack pointer.
 */
struct relocate_ctx {
    struct kbox_req *r;
    struct exec_journal *j;
    const char *path;
    uint64_t upath, copy;
};

static int relocate_ref(void *ctx, uint32_t list, uint32_t index, uint64_t slot,
                        uint64_t off)
{
    struct relocate_ctx *c = ctx;
    uint64_t old = c->upath + off, p;

    (void)list;
    (void)index;
    if (!c->copy) {
        int rc = kbox_journal_scratch(c->r, c->j, c->path, strlen(c->path) + 1,
                                      &c->copy);

        if (rc)
            return rc;
    }
    p = c->copy + off;
    return kbox_journal_write(c->r, c->j, slot, &p, &old, 8);
}

static int relocate_aliases(struct kbox_req *r, struct exec_journal *j,
                            uint64_t upath, const char *path, uint64_t uargv,
                            uint64_t uenvp)
{
    struct relocate_ctx c = { r, j, path, upath, 0 };

    return walk_path_refs(r, upath, strlen(path), uargv, uenvp, relocate_ref,
                          &c);
}

/*
 * Replace *@prog by a private copy: a set-ID exec is known to have
 * succeeded when /proc/<pid>/exe is this very file, which a cached
 * memfd (shared by every run of the program) could not tell.
 */
static long fresh_copy(int *prog, uint64_t *dev, uint64_t *ino)
{
    struct stat st;
    void *m;
    int fd;

    if (fstat(*prog, &st))
        return -errno;
    m = st.st_size
            ? mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, *prog, 0)
            : NULL;
    if (m == MAP_FAILED)
        return -ENOMEM;
    fd = kbox_exec_memfd("kbox-exec", m ? m : "", (size_t)st.st_size);
    if (m)
        munmap(m, (size_t)st.st_size);
    if (fd < 0)
        return fd;
    if (fstat(fd, &st)) {
        close(fd);
        return -EIO;
    }
    close(*prog);
    *prog = fd;
    *dev = st.st_dev;
    *ino = st.st_ino;
    return 0;
}

/*
 * The trampoline's exec of a script whose interpreter sets ids (@cf: lx
 * root's fd of it): run a private copy (fresh_copy) and prepare the
 * credentials from that file in the exec's task (*@exe_lxfd).
 */
static long script_creds(struct kbox_req *r, int cf, int *prog, int *exe_lxfd,
                         uint64_t *dev, uint64_t *ino)
{
    long fd = lx_task_getfd(r->task, lx_task_root(), cf, LX_O_CLOEXEC);

    if (fd < 0)
        return fd;
    *exe_lxfd = (int)fd;
    return fresh_copy(prog, dev, ino);
}

/* The program's bytes as exec runs them: PT_INTERP names @target. */
struct patched_src {
    const struct image *img;
    const struct kbox_elf_info *info;
    const char *target;
};

static long patched_pread(void *ctx, void *buf, size_t len, int64_t off)
{
    const struct patched_src *p = ctx;
    size_t o = (size_t)off, io = p->info->interp_off;
    size_t iend = io + p->info->interp_size, tl = strlen(p->target);

    if (off < 0 || o >= p->img->len)
        return 0;
    if (len > p->img->len - o)
        len = p->img->len - o;
    memcpy(buf, p->img->buf + o, len);
    /* overlay [io, iend): the target, then zeros (kbox_elf_set_interp) */
    for (size_t i = o > io ? o : io; i < iend && i < o + len; i++)
        ((char *)buf)[i - o] = i - io < tl ? p->target[i - io] : '\0';
    return (long)len;
}

/* The interpreter a dynamic program's exec names: our memfd of it and the
 * guest's number for it (fd -1: a static program). */
struct prepared_interp {
    int fd, gfd;
};

/* The key of @img's image with PT_INTERP naming guest fd @gi. */
static void patched_key(const struct image *img, int gi,
                        struct kbox_cache_key *k)
{
    if (img->host) {
        kbox_cache_key_host(k, &img->st, KBOX_CACHE_HOST_PATCHED, img->buf,
                            img->len);
    } else {
        kbox_cache_key_from(k, &img->st, KBOX_CACHE_PATCHED);
        k->version = img->version;
    }
    k->aux = gi;
}

/* Prepare the program memfd (and interpreter, into @pi) for @img. */
static long prepare_elf_fd(struct kbox_req *r, struct image *img, int *prog_fd,
                           struct prepared_interp *pi)
{
    struct kbox_elf_info info;
    struct kbox_cache_key k;
    long rc = kbox_elf_inspect(img->buf, img->len, &info);

    /* a host file's head (kbox_prog_open_host): a static program runs
     * from a copy of it all, kept in the content cache by the file's
     * identity and head (it was copied afresh at every exec) */
    if (img->head && !rc && !info.dynamic) {
        kbox_cache_key_host(&k, &img->st, KBOX_CACHE_HOST_RAW, img->buf,
                            img->len);
        *prog_fd = kbox_cache_lookup(&k);
        if (*prog_fd >= 0)
            return 0;
    }
    /* headers past the head, or a static program not cached */
    if (img->head && (rc || !info.dynamic)) {
        rc = kbox_prog_full(img);
        if (!rc)
            rc = kbox_elf_inspect(img->buf, img->len, &info);
        if (!rc && !info.dynamic) {
            int fd = fcntl(img->fd, F_DUPFD_CLOEXEC, 0);

            if (fd < 0)
                return -errno;
            /* keyed by what the copy holds */
            kbox_cache_key_host(&k, &img->st, KBOX_CACHE_HOST_RAW, img->buf,
                                img->len);
            *prog_fd = kbox_cache_add(&k, fd);
            return *prog_fd < 0 ? *prog_fd : 0;
        }
    }
    if (rc)
        return rc;
    if (!info.dynamic) {
        *prog_fd = fcntl(img->fd, F_DUPFD_CLOEXEC, 0);
        return *prog_fd < 0 ? -errno : 0;
    }
    {
        struct image in;
        struct kbox_elf_info ii;
        char target[64], *copy;
        int gi, fd;

        rc = kbox_prog_open(r->task, AT_FDCWD, info.interp, 0, &in);
        if (!rc)
            kbox_mapname_note(in.fd, in.where);
        if (rc == -ENOENT || rc == -ENOTDIR)
            return -ENOENT; /* the kernel reports a missing interpreter so */
        if (rc)
            return rc;
        rc = kbox_elf_inspect(in.buf, in.len, &ii);
        if (!rc && ii.dynamic)
            rc = -ELIBBAD;
        if (rc) {
            kbox_prog_close(&in);
            return rc == -ENOEXEC ? -ELIBBAD : rc;
        }
        gi = exec_addfd(r, in.fd);
        if (gi >= 0) {
            pi->fd = fcntl(in.fd, F_DUPFD_CLOEXEC, 0);
            pi->gfd = gi;
        }
        kbox_prog_close(&in);
        if (gi < 0)
            return gi;
        /* The patched image only depends on the interpreter's number. */
        patched_key(img, gi, &k);
        /*
         * /proc/thread-self, not /proc/self: a thread execing after its
         * leader's pthread_exit would find /proc/self/fd (the zombie
         * leader's) empty and the exec failed with ENOENT. The longer
         * name only where it fits in PT_INTERP.
         */
        snprintf(target, sizeof(target), "/proc/thread-self/fd/%d", gi);
        if (strlen(target) + 1 > info.interp_size)
            snprintf(target, sizeof(target), "/proc/self/fd/%d", gi);
        {
            struct patched_src ps = { img, &info, target };

            /* the persistent tier compares the content */
            rc = kbox_cache_disk_wants(&k) ? kbox_prog_full(img) : 0;
            if (rc)
                return rc;
            fd = kbox_cache_get(&k, patched_pread, &ps);
        }
        if (fd >= 0) {
            *prog_fd = fd;
            return 0;
        }
        if (img->head) { /* not cached: the copy, and what it holds */
            rc = kbox_prog_full(img);
            if (!rc)
                rc = kbox_elf_inspect(img->buf, img->len, &info);
            if (rc)
                return rc;
            if (!info.dynamic) { /* rewritten since: runs as it is now */
                *prog_fd = fcntl(img->fd, F_DUPFD_CLOEXEC, 0);
                return *prog_fd < 0 ? -errno : 0;
            }
            patched_key(img, gi, &k);
        }
        copy = malloc(img->len);
        if (!copy)
            return -ENOMEM;
        memcpy(copy, img->buf, img->len);
        rc = kbox_elf_set_interp(copy, img->len, &info, target);
        if (rc) {
            free(copy);
            return rc;
        }
        fd = kbox_exec_memfd("kbox-exec", copy, img->len);
        free(copy);
        if (fd < 0)
            return fd;
        fd = kbox_cache_add(&k, fd);
        if (fd < 0)
            return fd;
        *prog_fd = fd;
        return 0;
    }
}

/* The program's fd for the host's exec, named for /proc/<pid>/maps. */
static long prepare_elf(struct kbox_req *r, struct image *img, int *prog_fd,
                        struct prepared_interp *pi)
{
    long rc = prepare_elf_fd(r, img, prog_fd, pi);

    if (!rc)
        kbox_mapname_note(*prog_fd, img->where);
    return rc;
}

/*
 * Open a #! interpreter as the kernel would for the guest: from the
 * guest's cwd and root, lx's or a bind's (following symlinks that leave a
 * bind in the guest's tree, as the engine does for paths; a venv's
 * scripts name bin/python3 -> /usr/bin/python3 in a bound project).
 */
static long open_interp(struct kbox_req *r, const char *path, struct image *in)
{
    char cur[KBOX_PATH_MAX], lxpath[KBOX_PATH_MAX];

    snprintf(cur, sizeof(cur), "%s", path);
    for (int links = 0; links < 40; links++) {
        int hfd, ldir = AT_FDCWD;
        long rc;
        char *next;

        r->bind_idx1 = 0;
        rc = kbox_fs_resolve(r, AT_FDCWD, cur, O_RDONLY, &hfd, &ldir, lxpath,
                             sizeof(lxpath));
        r->bind_reached1 = 0; /* kbox_lx_bind_path's, for one route */
        if (!rc && hfd >= 0) {
            rc = kbox_prog_open_host(hfd, in, NULL, true);
            if (!rc) /* /proc/self/exe names the interpreter */
                kbox_exec_host_where(hfd, in->where, sizeof(in->where));
            if (!rc) /* its set-ID bits and capabilities */
                rc = kbox_prog_host_creds(r->task, hfd, in, true);
            if (rc)
                kbox_prog_close(in);
            close(hfd);
        } else if (!rc) {
            rc = kbox_prog_open(r->task, ldir, lxpath, 0, in);
        }
        kbox_ids_restore(r); /* as for the program: kbox's own from here */
        next = NULL;
        if (rc == -EXDEV && r->bind_idx1) {
            next = kbox_bind_symlink_path(r->bind_idx1 - 1, r->bind_path);
        } else if (rc == -EXDEV && r->lx_walk) { /* a link into a bind */
            int err;

            next = kbox_lx_bind_path(r, &err);
            if (!next && err)
                rc = err;
        }
        /* what the engine would retry is the program's path, not this */
        r->bind_idx1 = 0;
        free(r->lx_walk);
        r->lx_walk = NULL;
        if (!next)
            return rc;
        snprintf(cur, sizeof(cur), "%s", next);
        free(next);
    }
    return -ELOOP;
}

/*
 * The trampoline's exec runs what its child's exec prepared (*@prog), once
 * the interpreter is back at the number the program names it by: the
 * host's exec of the trampoline closed it. Nothing else of the guest's
 * has run since, so that number is free and lowest; -EAGAIN if not.
 */
static long reuse_prepared(struct kbox_req *r, struct kbox_exec_again *a,
                           int *prog)
{
    if (a->interp >= 0) {
        int gi = exec_addfd(r, a->interp);

        if (gi < 0)
            return gi;
        if (gi != a->interp_gfd)
            return -EAGAIN; /* prepared again; gi closes on exec */
    }
    *prog = a->prog;
    a->prog = -1;
    return 0;
}

/*
 * Does the host's execve open the program before it reads argv (Linux 6.8,
 * "execve: open the executable file before doing anything else")?
 */
static bool host_opens_before_argv(void)
{
    static int v = -1;

    if (v < 0) {
        struct utsname u;
        int major = 0, minor = 0;

        if (!uname(&u))
            sscanf(u.release, "%d.%d", &major, &minor);
        __atomic_store_n(&v, major > 6 || (major == 6 && minor >= 8),
                         __ATOMIC_RELAXED);
    }
    return v == 1;
}

/*
 * The process whose memory @r's caller shares (its parent, after vfork or
 * posix_spawn), or 0; /proc is asked once per exec (*@known is -1 until
 * then).
 */
static pid_t memory_sharer(struct kbox_req *r, pid_t *known)
{
    if (*known < 0 && !kbox_exec_shares_parent_memory(r->pid, known))
        *known = 0;
    return *known;
}

static struct kbox_resp
do_exec_body(struct kbox_req *r, int dirfd, uint64_t upath, uint64_t uargv,
             uint64_t uenvp, int flags, int *exe_lxfd, struct exec_journal *j,
             struct kbox_exec_again *again, pid_t *sharer)
{
    char path[KBOX_PATH_MAX], name[KBOX_PATH_MAX], exe_path[KBOX_PATH_MAX];
    int lxdir = AT_FDCWD;
    struct image img = { .fd = -1, .lxfd = -1, .hostfd = -1 };
    struct prepared_interp pi = { -1, -1 };
    int prog = -1, gfd;
    uint64_t exe_dev = 0, exe_ino = 0;
    long rc;
    bool empty_fd = false, img_where = false, host_fd = false;
    struct kbox_script_info si[SCRIPT_LEVELS];
    int nl = 0; /* #! levels */
    bool tramp = false, gated = false;
    /* bytes at upath: the path, or the trampoline's buffer */
    char room[KBOX_PATH_MAX];
    char script[KBOX_PATH_MAX + 32]; /* a script's name for its interpreter */
    struct kbox_args_room aroom = { (unsigned long)LONG_MAX, 0 };
    size_t kpathlen;
    long grown = 0; /* argv's growth by #! levels */

    rc = kbox_read_path(r, upath, path, sizeof(path),
                        (flags & AT_EMPTY_PATH) != 0);
    if (rc)
        return kbox_ret(rc);
    /* The bytes really at upath: kbox_read_path may have rewritten the
     * path (/proc/self/exe to the program's path, /proc/<pid>/root/x to
     * /x), and the alias must fit in, and the journal put back, what the
     * caller wrote. */
    if (r->ops->read_str(r, upath, room, sizeof(room)))
        snprintf(room, sizeof(room), "%s", path);
    /* The name Linux copies first (bprm->filename): a relative name from
     * a directory fd is /dev/fd/N[/path]. */
    if (r->nr == SYS_execveat && dirfd != AT_FDCWD && room[0] != '/')
        kpathlen = (size_t)snprintf(
            NULL, 0, room[0] ? "/dev/fd/%d/%s" : "/dev/fd/%d", dirfd, room);
    else
        kpathlen = strlen(room);
    /* before anything of the caller's changes (src/exec/args.c) */
    if (!again) {
        rc = kbox_exec_args_fit(r, kpathlen, uargv, uenvp, &aroom);
        if (rc)
            return kbox_ret(rc);
    }
    /*
     * As Linux names a script run by execveat relative to a directory fd:
     * /dev/fd/N/<path>, for the interpreter to open (the bare relative
     * path was looked up from the cwd: not found, exit 127).
     */
    if (again)
        snprintf(script, sizeof(script), "%s", again->script);
    else if (r->nr == SYS_execveat && dirfd != AT_FDCWD && path[0] &&
             path[0] != '/')
        snprintf(script, sizeof(script), "/dev/fd/%d/%s", dirfd, path);
    else if (r->nr == SYS_execveat && dirfd != AT_FDCWD && !path[0] &&
             kbox_lxfd(r, dirfd) >= 0)
        /*
         * fexecve of an image file: the fd itself, which the guest's
         * open of /dev/fd/N reopens from lx (its interpreter was given ""
         * and failed "cannot open"). Not a host object's fd: the
         * interpreter's copy takes that number below, so the name would
         * read the interpreter.
         */
        snprintf(script, sizeof(script), "/dev/fd/%d", dirfd);
    else
        snprintf(script, sizeof(script), "%s", path);
    if (again) {
        /* the trampoline's exec: the child's exec it stands for */
        snprintf(path, sizeof(path), "%s", again->path);
        rc = fix_alias_refs(r, j, again, uargv, uenvp);
        if (rc)
            return kbox_ret(rc);
        rc = again->prog >= 0 ? reuse_prepared(r, again, &prog) : -EAGAIN;
        if (rc && rc != -EAGAIN)
            return kbox_ret(rc);
        if (!rc) {
            nl = again->nl;
            memcpy(si, again->si, sizeof(si));
            snprintf(exe_path, sizeof(exe_path), "%s", again->exe_path);
            img_where = again->img_where;
            if (again->cred_file >= 0) /* a set-ID interpreter's */
                rc = script_creds(r, again->cred_file, &prog, exe_lxfd,
                                  &exe_dev, &exe_ino);
            goto prepared;
        }
    }
    if (!path[0]) {
        lxdir = kbox_lxfd(r, dirfd);
        if (lxdir < 0)
            host_fd = true; /* fexecve of a host object it holds */
        empty_fd = true;
    }
    /* Remember the absolute guest path for /proc/self/exe. */
    if (path[0] == '/') {
        snprintf(exe_path, sizeof(exe_path), "%s", path);
    } else {
        char cwd[KBOX_PATH_MAX];
        long n = 0;

        /* a cwd inside a bind is kbox's, not lx's (lx stays at "/") */
        int st = kbox_bind_cwd_get(r->proc, r->task, cwd, sizeof(cwd), NULL, 0);

        if (st > 0)
            n = -ENOENT; /* removed */
        else if (st < 0)
            n = kbox_lx(r, LX__NR_getcwd, (long)cwd, sizeof(cwd), 0, 0, 0, 0);
        if (n < 0 || kbox_path_join(cwd, path, exe_path, sizeof(exe_path)) < 0)
            snprintf(exe_path, sizeof(exe_path), "%s", path);
    }
    if (host_fd) {
        rc = open_image_guest_fd(r, dirfd, &img);
    } else if (empty_fd) {
        rc = kbox_prog_open(r->task, lxdir, path, 0, &img);
    } else {
        char lxpath[KBOX_PATH_MAX];
        int hfd, ldir = lxdir;

        /* O_PATH: a FIFO's open waited for a writer, a device's opened
         * it; Linux refuses both before any open (EACCES) */
        rc = kbox_fs_resolve(
            r, dirfd, path,
            O_PATH | ((flags & AT_SYMLINK_NOFOLLOW) ? O_NOFOLLOW : 0), &hfd,
            &ldir, lxpath, sizeof(lxpath));
        if (rc)
            return kbox_ret(rc);
        if (hfd >= 0) {
            hfd = kbox_exec_host_open(hfd);
            if (hfd < 0) {
                kbox_ids_restore(r);
                return kbox_ret(hfd);
            }
        }
        if (hfd >= 0) {
            rc = kbox_prog_open_host(hfd, &img, NULL, true);
            if (!rc)
                kbox_exec_host_where(hfd, img.where, sizeof(img.where));
            if (!rc)
                rc = kbox_prog_host_creds(r->task, hfd, &img, true);
            if (rc)
                kbox_prog_close(&img);
            close(hfd);
        } else {
            rc = kbox_prog_open(r->task, ldir, lxpath,
                                (flags & AT_SYMLINK_NOFOLLOW) ? O_NOFOLLOW : 0,
                                &img);
        }
    }
    /* the guest's rights were for opening it in a bind; the copies and
     * aliases exec makes are kbox's own */
    kbox_ids_restore(r);
    if (rc == -ELOOP && (flags & AT_SYMLINK_NOFOLLOW))
        return kbox_ret(-ELOOP);
    if (rc)
        return kbox_ret(rc);

    switch (kbox_exec_classify(img.buf ? img.buf : "", img.len)) {
    case KBOX_EXEC_ELF:
        rc = prepare_elf(r, &img, &prog, &pi);
        /* set-ID bits count on the program itself, never on scripts */
        if (!rc && img.lxfd >= 0) {
            rc = fresh_copy(&prog, &exe_dev, &exe_ino);
            *exe_lxfd = img.lxfd;
            img.lxfd = -1;
        }
        break;
    case KBOX_EXEC_SCRIPT: {
        struct image in;

        /*
         * A script named by a close-on-exec fd (/dev/fd/N[/path]) is
         * ENOENT, as Linux makes it (BINPRM_FLAGS_PATH_INACCESSIBLE): its
         * interpreter could not open that name after the exec. After
         * its #! line is parsed (ENOEXEC first), as binfmt_script does.
         */
        bool hidden =
            !again && r->nr == SYS_execveat && dirfd != AT_FDCWD &&
            path[0] != '/' &&
            (kbox_lxfd(r, dirfd) >= 0 ? kbox_fdt_cloexec(r->proc->fdt, dirfd)
                                      : kbox_host_fd_cloexec(r->pid, dirfd));
        /* Follow #! interpreters (scripts too) down to an ELF. */
        rc = -ELOOP;
        while (nl < SCRIPT_LEVELS) {
            rc = kbox_script_parse(img.buf, img.len, &si[nl]);
            if (!rc && hidden && nl == 0)
                rc = -ENOENT;
            /* the longer argv past the limit: E2BIG now, as Linux says
             * before it opens the interpreter; the trampoline's exec
             * could only fail after the caller's image was gone */
            if (!rc && !again)
                rc = kbox_exec_script_fits(&aroom, kpathlen, nl, si[nl].interp,
                                           si[nl].has_arg ? si[nl].arg : NULL,
                                           &grown);
            if (rc)
                break;
            rc = open_interp(r, si[nl].interp, &in);
            if (rc)
                break;
            nl++;
            kbox_prog_close(&img);
            img = in;
            if (kbox_exec_classify(img.buf ? img.buf : "", img.len) !=
                KBOX_EXEC_SCRIPT)
                break;
            rc = -ELOOP;
        }
        /* Linux parses the sixth script and opens its interpreter before
         * its ELOOP: their errors come first */
        if (rc == -ELOOP && nl == SCRIPT_LEVELS) {
            struct kbox_script_info six;

            rc = kbox_script_parse(img.buf, img.len, &six);
            if (!rc)
                rc = open_interp(r, six.interp, &in);
            if (!rc)
                kbox_prog_close(&in);
            rc = rc ? rc : -ELOOP;
        }
        if (rc)
            break;
        if (kbox_exec_classify(img.buf ? img.buf : "", img.len) !=
            KBOX_EXEC_ELF) {
            rc = -ENOEXEC;
            break;
        }
        rc = prepare_elf(r, &img, &prog, &pi);
        break; /* its argv: below */
    }
    default:
        rc = -ENOEXEC;
    }
    if (!rc && !empty_fd && !again && *exe_lxfd < 0) {
        bool shares = memory_sharer(r, sharer) > 0;
        struct alias_ref refs[MAX_ALIAS_REFS];

        /*
         * The program is the gate when argv is read after it opens (the
         * path is its own again by then): on Linux 6.8 and later, which
         * open the program before reading argv, or when no argv entry
         * points into the path. Else the trampoline fixes those entries.
         */
        if (shares && nl == 0 &&
            (host_opens_before_argv() ||
             alias_refs(r, upath, strlen(room), uargv, uenvp, refs,
                        MAX_ALIAS_REFS) == 0) &&
            kbox_gate_program(&prog, r->pid, img.where))
            gated = true;
        else if (nl > 0 || shares)
            /* its lookup, from the cwd: the script's name does for an
             * execveat from a directory fd */
            rc = use_trampoline(r, upath, script, room, script, uargv, uenvp,
                                nl > 0, shares, &prog, &tramp);
    }
    /* fexecve of an image script with a NULL argv: the host gives the
     * trampoline [""], whose exec gets the script's argv (it had no
     * place: EFAULT); comm stays the fd number */
    if (!rc && empty_fd && !host_fd && !again && nl > 0 && !uargv) {
        rc = use_trampoline(r, upath, script, room, script, uargv, uenvp, true,
                            false, &prog, &tramp);
        if (tramp)
            snprintf(r->proc->exec_again->room,
                     sizeof(r->proc->exec_again->room), "%d", dirfd);
    }
    if (!rc && nl > 0 && !again) {
        int added = nl;
        /* the name the alias is made from: fexecve's trampoline has N */
        char called[KBOX_PATH_MAX];

        for (int k = 0; k < nl; k++)
            added += si[k].has_arg;
        snprintf(called, sizeof(called), "%s",
                 tramp ? r->proc->exec_again->room : room);
        rc = kbox_exec_script_host_fits(&aroom, grown, kpathlen, added, called,
                                        r->pid);
    }
    /*
     * A script whose last interpreter is set-user/group-ID or has file
     * capabilities: Linux takes exec's credentials from that file, never
     * from the script. The trampoline's exec prepares them (its argv and
     * envp are its own: a vfork child's in-place rewrite had corrupted
     * its parent), so the file waits in lx's root task until then.
     */
    if (!rc && nl > 0 && img.lxfd >= 0) {
        if (tramp) {
            long cf =
                lx_task_getfd(lx_task_root(), r->task, img.lxfd, LX_O_CLOEXEC);

            if (cf < 0)
                rc = cf;
            else
                r->proc->exec_again->cred_file = (int)cf;
        } else {
            rc = fresh_copy(&prog, &exe_dev, &exe_ino);
            *exe_lxfd = img.lxfd;
            img.lxfd = -1;
        }
    }
    if (tramp) {
        struct kbox_exec_again *a = r->proc->exec_again;

        a->interp = pi.fd;
        a->interp_gfd = pi.gfd;
        pi.fd = -1;
        a->nl = nl;
        memcpy(a->si, si, sizeof(si));
        snprintf(a->exe_path, sizeof(a->exe_path), "%s",
                 img.where[0] ? img.where : exe_path);
        a->img_where = img.where[0] != '\0';
    }
    if (pi.fd >= 0)
        close(pi.fd);
prepared:
    if (!rc && nl && !tramp)
        rc = rewrite_script_argv(r, j, uargv, si, nl, script);
    /* /proc/self/exe names the program the host runs (the interpreter of
     * a script) by its real path, as Linux's d_path does: programs find
     * their own files from it (`python3` is python3.11's link). */
    if (!rc && img.where[0] && !tramp) {
        snprintf(exe_path, sizeof(exe_path), "%s", img.where);
        img_where = true;
    }
    kbox_prog_close(&img);
    if (rc) {
        if (prog >= 0)
            close(prog);
        return kbox_ret(rc);
    }

    if (empty_fd) {
        /* execveat(fd, "", AT_EMPTY_PATH): swap the fd for the memfd;
         * a host file comes back at the next call (hostfile.c) */
        if (host_fd)
            kbox_exec_swap_note(r, dirfd, prog);
        gfd = r->ops->addfd(r, prog, dirfd,
                            host_fd ? kbox_host_fd_cloexec(r->pid, dirfd)
                                    : kbox_fdt_cloexec(r->proc->fdt, dirfd),
                            false);
        close(prog);
        if (gfd < 0)
            return kbox_ret(gfd);
    } else {
        gfd = exec_addfd(r, prog);
        close(prog);
        if (gfd < 0)
            return kbox_ret(gfd);
        {
            /* comm is the last part of the path as called ("exe" for
             * /proc/self/exe), not of the file it led to */
            const char *called = again ? again->room : room;
            const char *base = strrchr(called, '/');

            base = base ? base + 1 : called;
            /* the alias replaces the path in place: it must not be longer */
            if (!strchr(base, '/') && base[0] && strcmp(base, ".") &&
                strcmp(base, "..") &&
                snprintf(name, sizeof(name), "d%d/%s", gfd, base) <
                    (int)sizeof(name) &&
                strlen(name) <= strlen(room))
                ;
            else
                snprintf(name, sizeof(name), "%d", gfd);
        }
        /*
         * execveat(dirfd, path): the host resolves a relative alias from
         * dirfd (an lx file's placeholder is /dev/null), so the alias is
         * absolute there (the path was resolved in lx already). Where
         * that does not fit ("sh", "/bin/sh"), an lx directory's
         * placeholder becomes kbox's exec directory, which the relative
         * alias is in: what host object stands for an lx directory does
         * not matter otherwise (every call on it comes to kbox), as a
         * content memfd takes a placeholder's place for mmap.
         */
        bool at_dirfd = dirfd != AT_FDCWD && r->nr == SYS_execveat;
        if (at_dirfd) {
            char rel[sizeof(name)];

            memcpy(rel, name, sizeof(rel));
            /* thread-self where it fits: /proc/self/fd is empty for a
             * thread whose leader has exited */
            snprintf(name, sizeof(name), "/proc/thread-self/fd/%d", gfd);
            if (strlen(name) > strlen(room))
                snprintf(name, sizeof(name), "/proc/self/fd/%d", gfd);
            if (strlen(name) > strlen(room))
                snprintf(name, sizeof(name), "/dev/fd/%d", gfd);
            if (strlen(name) > strlen(room) && strlen(rel) <= strlen(room) &&
                kbox_lxfd(r, dirfd) >= 0) {
                int ed =
                    open(kbox_sup.exec_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

                rc = ed < 0
                         ? -errno
                         : r->ops->addfd(r, ed, dirfd,
                                         kbox_fdt_cloexec(r->proc->fdt, dirfd),
                                         false);
                if (ed >= 0)
                    close(ed);
                if (rc < 0)
                    return kbox_ret(rc);
                memcpy(name, rel, sizeof(name));
                at_dirfd = false; /* the alias in the exec directory */
            }
        }
        if (strlen(name) > strlen(room))
            return kbox_ret(-ENAMETOOLONG);
        rc = at_dirfd ? 0 : kbox_exec_alias(gfd, name);
        /* a trampoline's exec puts the entries right (fix_alias_refs);
         * a gate puts the path back before the host reads argv */
        if (!rc && !tramp && !gated)
            rc = relocate_aliases(r, j, upath, room, uargv, uenvp);
        if (rc)
            return kbox_ret(rc);
        rc = kbox_journal_write(r, j, upath, name, room, strlen(name) + 1);
        if (rc)
            return kbox_ret(rc);
    }
    if (!r->ops->valid(r))
        return kbox_ret(-EINTR);
    /* A thread that is not the leader moves to the leader's task first:
     * its own task ends with the others' below, and the scan or another
     * thread's exec must not find it in r->task then (they interrupted
     * the freed task: kbox crashed when threads exec'd at once). */
    struct lx_task *own = r->task;

    kbox_inflight_set_task(r, r->proc->task);
    /* Natively one of several threads exec'ing at once wins and the
     * others die in its exec. Here each ended the others' calls and
     * waited for its own thread to die: none went on (2 s, then EINTR),
     * or two ended each other's tasks. Only the claim's holder gets
     * here (exec_claim); one whose call was ended waits to die. */
    pid_t none = 0;
    struct kbox_fdt *was;

    if (__atomic_load_n(&r->interrupted, __ATOMIC_ACQUIRE) == KBOX_INTR_EXEC ||
        !__atomic_compare_exchange_n(&r->proc->exec_tid, &none, r->pid, false,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        __atomic_store_n(&r->interrupted, KBOX_INTR_EXEC, __ATOMIC_RELEASE);
        return kbox_ret(-EINTR);
    }
    /* The other threads die in the exec; their tasks share the fd table
     * and would keep its close-on-exec files open. */
    kbox_inflight_end_threads(r->proc, r->pid);
    /* Close-on-exec in the kernel's fd table and our map, as the host does
     * in its table (exec unshares a CLONE_FILES table first). */
    was = kbox_fdt_ref(r->proc->fdt); /* (so always a copy) */
    r->proc->fdt = kbox_fdt_unshare(r->proc->fdt);
    /* the thread's ids and cwd become the process's (de_thread) */
    if (own && own != r->proc->task)
        lx_task_adopt(r->proc->task, own);
    kbox_bind_cwd_exec(r->proc, own ? own : r->proc->task);
    kbox_thread_drop_all(r->proc);
    __atomic_store_n(&r->proc->exec_tid, 0, __ATOMIC_RELEASE);
    if (*exe_lxfd >= 0) {
        /* its credentials, given once the host's exec has succeeded */
        rc = kbox_exec_setid(r, *exe_lxfd, uenvp, exe_dev, exe_ino);
        if (rc) {
            kbox_fdt_put(was);
            return kbox_ret(rc);
        }
    }
    lx_task_exec(r->proc->task);
    /* lx's exec copied a shared table with the files that a sharer's
     * call holds past their close: not the new program's */
    kbox_fd_fork_drop_held(was, r->proc->task);
    kbox_fdt_put(was);
    *exe_lxfd = -1; /* close-on-exec closed it */
    kbox_fdt_exec(r->proc->fdt);
    kbox_mirror_gc();
    if (!empty_fd || img_where)
        snprintf(r->proc->exe, sizeof(r->proc->exe), "%s", exe_path);
    if (empty_fd)
        snprintf(path, sizeof(path), "%d", dirfd); /* fexecve: comm is N */
    else
        snprintf(path, sizeof(path), "%s", again ? again->room : room);
    kbox_exec_set_comm(r->proc->task, path);
    return kbox_continue();
}

static struct kbox_resp do_exec_claimed(struct kbox_req *r, int dirfd,
                                        uint64_t upath, uint64_t uargv,
                                        uint64_t uenvp, int flags)
{
    int exe_lxfd = -1;
    struct exec_journal j = { .child = r->pid, .ops = r->ops, .tier = r->tier };
    struct kbox_exec_again *again = r->proc->exec_again;
    struct kbox_resp resp;
    pid_t ppid = -1;

    /* one child at a time rewrites memory it shares with its parent */
    int shared =
        memory_sharer(r, &ppid) > 0 ? kbox_exec_share_claim(r, ppid) : 0;

    r->proc->exec_again = NULL;
    if (shared < 0) {
        kbox_exec_again_free(again);
        return kbox_ret(shared);
    }
    resp = do_exec_body(r, dirfd, upath, uargv, uenvp, flags, &exe_lxfd, &j,
                        again, &ppid);
    kbox_exec_again_free(again);

    if (exe_lxfd >= 0)
        kbox_lx(r, LX__NR_close, exe_lxfd, 0, 0, 0, 0, 0);
    if (!j.n) {
        if (resp.kind != KBOX_RESP_CONTINUE) {
            kbox_exec_again_free(r->proc->exec_again);
            r->proc->exec_again = NULL;
        }
        if (shared)
            kbox_exec_share_release(r->pid);
        return resp;
    }
    if (resp.kind != KBOX_RESP_CONTINUE) {
        kbox_exec_again_free(r->proc->exec_again); /* no trampoline runs */
        r->proc->exec_again = NULL;
        kbox_journal_undo(&j, r->pid, false); /* refused: the caller runs on */
    } else if (memory_sharer(r, &ppid) > 0) {
        struct kbox_proc *pp = kbox_proc_lookup(ppid);

        /* held until the parent's bytes are back (restore_take) */
        kbox_journal_keep(&j, ppid, pp && pp->vforker ? pp->vforker : ppid);
        if (pp)
            kbox_proc_put(pp);
        return resp;
    } else {
        kbox_journal_free(&j); /* the exec replaces this memory */
    }
    if (shared)
        kbox_exec_share_release(r->pid);
    return resp;
}

static struct kbox_resp do_exec(struct kbox_req *r, int dirfd, uint64_t upath,
                                uint64_t uargv, uint64_t uenvp, int flags)
{
    struct kbox_resp resp;
    long rc = kbox_exec_claim(r);
    pid_t ex;

    if (rc)
        return kbox_ret(rc);
    /*
     * Another thread's exit_group under way (it set p->exiting before
     * looking at the claim, so one of the two sees the other): natively
     * the exit may win, and it does here. Had this exec gone on, the
     * exit would have been let go at the same time, and the host's exec
     * winning ran a program kbox had forgotten (kbox_exec_exit_wait).
     * This thread dies in the exit (the reply waits, kbox_inflight_end).
     * An exiting thread that is gone died in an exec that won already.
     */
    ex = __atomic_load_n(&r->proc->exiting, __ATOMIC_SEQ_CST);
    if (ex && ex != r->pid && syscall(SYS_tgkill, r->proc->tgid, ex, 0) == 0) {
        __atomic_store_n(&r->proc->exec_claim, 0, __ATOMIC_RELEASE);
        __atomic_store_n(&r->interrupted, KBOX_INTR_EXEC, __ATOMIC_RELEASE);
        return kbox_ret(-EINTR);
    }
    resp = do_exec_claimed(r, dirfd, upath, uargv, uenvp, flags);
    /* a refused exec lets another thread's go on; a successful one keeps
     * the claim until the host has run it (exec_claim) */
    if (resp.kind != KBOX_RESP_CONTINUE)
        __atomic_store_n(&r->proc->exec_claim, 0, __ATOMIC_RELEASE);
    return resp;
}

struct kbox_resp kbox_exec_handle_execve(struct kbox_req *r)
{
    return do_exec(r, AT_FDCWD, r->args[0], r->args[1], r->args[2], 0);
}

struct kbox_resp kbox_exec_handle_execveat(struct kbox_req *r)
{
    return do_exec(r, (int)kbox_arg_int(r->args[0]), r->args[1], r->args[2],
                   r->args[3], (int)r->args[4]);
}
