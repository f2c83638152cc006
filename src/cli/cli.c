/* SPDX-License-Identifier: MIT */
/* Command-line parsing: getopt_long with "--" ending options. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "kbox/cli.h"
#include "kbox/path.h"

static const char usage_text[] =
    "Usage: kbox [OPTIONS] -- COMMAND [ARGS...]\n"
    "       kbox [OPTIONS] -c STRING\n"
    "       kbox image [OPTIONS] -- COMMAND [ARGS...]   (the same)\n"
    "\n"
    "Run COMMAND from a filesystem image against an in-process Linux "
    "kernel.\n"
    "Options end at \"--\" or at the first word that is not one.\n"
    "\n"
    "  -r, --root-dir IMG         mount IMG as the guest root, nothing else\n"
    "  -R, --recommended-root IMG mount IMG plus the mount profile (/proc,\n"
    "                             /sys, /dev, /tmp, ...)\n"
    "  -S, --system-root IMG      like -R, and run as root (uid 0)\n"
    "  -t, --fs-type TYPE         filesystem type (default ext4)\n"
    "  -p, --part N               use partition N of an MBR/GPT image\n"
    "                             (0, the default: the whole image)\n"
    "  -w, --work-dir DIR         guest working directory (default /)\n"
    "  -c, --command STRING       run STRING with /bin/sh -c\n"
    "  -k, --cmdline ARGS         kernel command line (mem=SIZE: lx's RAM,\n"
    "                             default 512M)\n"
    "  -m, --mount-opts OPTS      root mount options, repeatable (ro shares\n"
    "                             the image; noatime, nosuid, ...; the rest\n"
    "                             go to the file system: data=journal)\n"
    "  -b, --bind-mount SRC:DST   bind host path SRC (file or directory) at\n"
    "                             guest path DST, repeatable\n"
    "  -0, --root-id              run as uid 0 / gid 0\n"
    "      --change-id U[:G]      run as user U, group G (names or numbers,\n"
    "                             from the image; G: U's primary group)\n"
    "      --mount-profile P      pseudo filesystems: full (-R, -S) | minimal\n"
    "      --syscall-mode M       auto | seccomp (the same today)\n"
    "      --verbose              log setup steps and their times\n"
    "      --trace                log every dispatched syscall\n"
    "  -h, --help                 show this help\n"
    "      --version              show the version\n"
    "\n"
    "Examples:\n"
    "  kbox -S rootfs.ext4 -- /bin/sh -i        root shell in the image\n"
    "  kbox -R rootfs.ext4 --change-id user -- id\n"
    "  kbox -S rootfs.ext4 -m ro -b \"$PWD\":/src -w /src -- ls -la\n"
    "  kbox -S rootfs.ext4 -k mem=2G -c 'echo $((6*7))'\n"
    "\n"
    "Exit status: the command's (128+N if killed by signal N); 127 not\n"
    "found, 126 not executable; 1 kbox failed; 2 bad usage.\n"
    "The guest shares the host's network and resource limits; see\n"
    "README.md, \"What kbox does and does not isolate\".\n";

enum {
    OPT_CHANGE_ID = 256,
    OPT_PROFILE,
    OPT_MODE,
    OPT_VERBOSE,
    OPT_TRACE,
    OPT_VERSION,
};

static const struct option long_opts[] = {
    { "root-dir", required_argument, NULL, 'r' },
    { "recommended-root", required_argument, NULL, 'R' },
    { "system-root", required_argument, NULL, 'S' },
    { "fs-type", required_argument, NULL, 't' },
    { "part", required_argument, NULL, 'p' },
    { "work-dir", required_argument, NULL, 'w' },
    { "command", required_argument, NULL, 'c' },
    { "cmdline", required_argument, NULL, 'k' },
    { "mount-opts", required_argument, NULL, 'm' },
    { "bind-mount", required_argument, NULL, 'b' },
    { "root-id", no_argument, NULL, '0' },
    { "change-id", required_argument, NULL, OPT_CHANGE_ID },
    { "mount-profile", required_argument, NULL, OPT_PROFILE },
    { "syscall-mode", required_argument, NULL, OPT_MODE },
    { "verbose", no_argument, NULL, OPT_VERBOSE },
    { "trace", no_argument, NULL, OPT_TRACE },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, OPT_VERSION },
    { NULL, 0, NULL, 0 },
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return KBOX_CLI_USAGE;
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *v)
{
    char *end;

    if (!*s || *s == '-' || *s == '+')
        return -1;
    errno = 0;
    *v = strtoul(s, &end, 10);
    if (errno || *end || *v > max)
        return -1;
    return 0;
}

/*
 * One part of --change-id (@len bytes of @s): a number into @v, or a
 * name into @name (64 bytes) that the image resolves later. Names are
 * what useradd takes: no colon, slash, comma or space, no leading '-'.
 */
static int parse_id_part(const char *s, size_t len, unsigned long *v,
                         char *name)
{
    char buf[64];

    if (len == 0 || len >= sizeof(buf))
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    name[0] = '\0';
    if (strspn(buf, "0123456789") == len)
        return parse_ulong(buf, 0xfffffffeUL, v);
    if (buf[0] == '-' || buf[0] == '+' || strpbrk(buf, ":/, \t\n"))
        return -1;
    memcpy(name, buf, len + 1);
    *v = 0;
    return 0;
}

int kbox_cli_parse_bind(const char *spec, struct kbox_bind *b, char *err,
                        size_t errlen)
{
    const char *colon = strrchr(spec, ':');
    char src[KBOX_PATH_MAX], dst[KBOX_PATH_MAX];
    size_t slen;
    bool esc = false;

    memset(b, 0, sizeof(*b));
    if (!colon || colon == spec || !colon[1]) {
        fail(err, errlen, "bad bind spec '%s' (want HOSTSRC:GUESTDST)", spec);
        return -1;
    }
    slen = (size_t)(colon - spec);
    if (slen >= sizeof(src)) {
        fail(err, errlen, "bad bind spec '%s': path too long", spec);
        return -1;
    }
    memcpy(src, spec, slen);
    src[slen] = '\0';
    if (colon[1] != '/') {
        fail(err, errlen, "bad bind spec '%s': GUESTDST must be absolute",
             spec);
        return -1;
    }
    /* Host source: make absolute against our cwd, then normalise. */
    if (src[0] != '/') {
        char cwd[KBOX_PATH_MAX], joined[KBOX_PATH_MAX];

        if (!getcwd(cwd, sizeof(cwd)) ||
            kbox_path_join(cwd, src, joined, sizeof(joined)) < 0) {
            fail(err, errlen, "bad bind spec '%s': cannot resolve source",
                 spec);
            return -1;
        }
        strcpy(src, joined);
    } else {
        char tmp[KBOX_PATH_MAX];

        if (kbox_path_normalize(src, tmp, sizeof(tmp), false, &esc) < 0) {
            fail(err, errlen, "bad bind spec '%s': path too long", spec);
            return -1;
        }
        strcpy(src, tmp);
    }
    if (kbox_path_normalize(colon + 1, dst, sizeof(dst), false, &esc) < 0) {
        fail(err, errlen, "bad bind spec '%s': path too long", spec);
        return -1;
    }
    if (strcmp(dst, "/") == 0) {
        fail(err, errlen, "bad bind spec '%s': cannot bind over /", spec);
        return -1;
    }
    b->host_src = strdup(src);
    b->guest_dst = strdup(dst);
    if (!b->host_src || !b->guest_dst) {
        free(b->host_src);
        free(b->guest_dst);
        b->host_src = b->guest_dst = NULL;
        fail(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

/* Per-mount flags mount(8) takes in -o, and their opposites. */
static const struct {
    const char *name;
    unsigned long set, clear;
} vfs_flags[] = {
    { "defaults", 0, 0 },
    { "noatime", MS_NOATIME, MS_RELATIME | MS_STRICTATIME },
    { "atime", 0, MS_NOATIME },
    { "nodiratime", MS_NODIRATIME, 0 },
    { "diratime", 0, MS_NODIRATIME },
    { "relatime", MS_RELATIME, MS_NOATIME | MS_STRICTATIME },
    { "norelatime", 0, MS_RELATIME },
    { "strictatime", MS_STRICTATIME, MS_NOATIME | MS_RELATIME },
    { "nostrictatime", 0, MS_STRICTATIME },
    { "nosuid", MS_NOSUID, 0 },
    { "suid", 0, MS_NOSUID },
    { "nodev", MS_NODEV, 0 },
    { "dev", 0, MS_NODEV },
    { "noexec", MS_NOEXEC, 0 },
    { "exec", 0, MS_NOEXEC },
};

static int add_mount_opt(struct kbox_opts *o, const char *opt, char *err,
                         size_t errlen)
{
    size_t cur = strlen(o->mount_opts), add = strlen(opt);

    if (!add || strchr(opt, ' '))
        return fail(err, errlen, "bad mount option '%s'", opt);
    if (cur + add + 2 > sizeof(o->mount_opts))
        return fail(err, errlen, "too many mount options");
    /* "ro"/"rw" are mount flags, not filesystem data. */
    if (strcmp(opt, "ro") == 0) {
        o->readonly = true;
        return 0;
    }
    if (strcmp(opt, "rw") == 0) {
        o->readonly = false;
        return 0;
    }
    /*
     * So are these: mount(8) turns them into MS_* flags, and a file
     * system given them as data refuses them ("ext4: Unknown parameter
     * 'noatime'"), so `-m noatime` failed where `mount -o noatime` works.
     * The later of two opposites wins, as with mount(8).
     */
    for (size_t i = 0; i < sizeof(vfs_flags) / sizeof(vfs_flags[0]); i++) {
        if (strcmp(opt, vfs_flags[i].name))
            continue;
        o->mount_flags &= ~vfs_flags[i].clear;
        o->mount_flags |= vfs_flags[i].set;
        return 0;
    }
    if (cur)
        o->mount_opts[cur++] = ',';
    memcpy(o->mount_opts + cur, opt, add + 1);
    return 0;
}

/*
 * lx takes each mem= of -k with memparse() and makes anything under 16M
 * 16M, so `-k mem=foo` or `-k mem=2` booted a 16 MiB kernel, silently,
 * where the user meant a size. A value is digits (0x: hex) and one
 * optional K, M, G, T, P or E, at least 16M.
 */
static int check_kernel_mem(const char *cmdline, char *err, size_t errlen)
{
    for (const char *w = cmdline; *w;) {
        size_t len = strcspn(w, " \t\n");
        const char *v = w + 4, *end = w + len;
        unsigned long long n = 0;
        unsigned shift = 0;
        char *e;

        if (len > 4 && !strncmp(w, "mem=", 4) && (v[0] >= '0' && v[0] <= '9')) {
            errno = 0;
            n = strtoull(v, &e, 0);
            if (e < end && strchr("kKmMgGtTpPeE", *e) && e + 1 == end)
                shift =
                    10 * (unsigned)(strchr("kmgtpe", *e | 0x20) - "kmgtpe" + 1);
            else if (e != end)
                n = 0;
            if (!errno && n && shift < 64 && n <= ~0ull >> shift)
                n <<= shift;
            else
                n = 0;
        }
        if (len >= 4 && !strncmp(w, "mem=", 4) && n < 16ull << 20)
            return fail(err, errlen,
                        "bad -k %.*s (want a size of at least 16M, e.g. "
                        "mem=2G)",
                        (int)len, w);
        w += len;
        w += strspn(w, " \t\n");
    }
    return 0;
}

void kbox_cli_free(struct kbox_opts *o)
{
    for (int i = 0; i < o->nbinds; i++) {
        free(o->binds[i].host_src);
        free(o->binds[i].guest_dst);
        free(o->binds[i].file);
        o->binds[i].file = NULL;
    }
    o->nbinds = 0;
}

static int set_image(struct kbox_opts *o, const char *img, int kind, char *err,
                     size_t errlen)
{
    if (o->image)
        return fail(err, errlen, "only one of -r, -R, -S may be given");
    if (!*img)
        return fail(err, errlen, "empty image path");
    o->image = img;
    if (kind >= 1 && o->profile == KBOX_PROFILE_NONE)
        o->profile = KBOX_PROFILE_FULL;
    if (kind == 2)
        o->root_id = true;
    return 0;
}

/*
 * Did getopt_long's error come from the long option @arg (its name, without
 * "=VALUE", into @name)? @opt is getopt's optopt: 0 for an unknown long
 * option, the option's value for one missing or given an argument. The
 * errors were printed as short options: "--change-id" with no argument
 * said "option -" and "--verbose=1" "unknown option -\x03".
 */
static bool long_opt_name(const char *arg, int opt, char *name, size_t len)
{
    size_t n;

    if (strncmp(arg, "--", 2) || !arg[2])
        return false;
    n = strcspn(arg + 2, "=");
    if (n >= len)
        n = len - 1;
    memcpy(name, arg + 2, n);
    name[n] = '\0';
    if (!opt)
        return true;
    /* else a short option of the next cluster ("--verbose -x0") */
    for (const struct option *l = long_opts; l->name; l++)
        if (l->val == opt && !strncmp(l->name, name, n))
            return true;
    return false;
}

int kbox_cli_parse(int argc, char **argv, struct kbox_opts *o, FILE *out,
                   char *err, size_t errlen)
{
    static char *sh_argv[4];
    char name[64];
    bool profile_set = false, root_flag = false;
    int c, rc;

    memset(o, 0, sizeof(*o));
    o->fs_type = "ext4";
    o->mode = KBOX_MODE_AUTO;
    err[0] = '\0';

    if (argc < 1)
        return fail(err, errlen, "no arguments");
    /* "kbox image ..." is an alias of "kbox ...". */
    if (argc > 1 && strcmp(argv[1], "image") == 0) {
        argv++;
        argc--;
    }
    optind = 0; /* full re-initialisation (glibc) */
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:r:R:S:t:p:w:c:k:m:b:0h", long_opts,
                            NULL)) != -1) {
        unsigned long v;

        switch (c) {
        case 'r':
            if ((rc = set_image(o, optarg, 0, err, errlen)))
                goto bad;
            break;
        case 'R':
            if ((rc = set_image(o, optarg, 1, err, errlen)))
                goto bad;
            break;
        case 'S':
            if ((rc = set_image(o, optarg, 2, err, errlen)))
                goto bad;
            break;
        case 't':
            if (!*optarg) {
                rc = fail(err, errlen, "empty filesystem type");
                goto bad;
            }
            o->fs_type = optarg;
            break;
        case 'p':
            if (parse_ulong(optarg, 128, &v)) {
                rc = fail(err, errlen, "bad partition number '%s'", optarg);
                goto bad;
            }
            o->partition = (int)v;
            break;
        case 'w':
            if (optarg[0] != '/') {
                rc = fail(err, errlen,
                          "work dir '%s' must be an absolute guest path",
                          optarg);
                goto bad;
            }
            o->work_dir = optarg;
            break;
        case 'c':
            o->command = optarg;
            break;
        case 'k':
            if ((rc = check_kernel_mem(optarg, err, errlen)))
                goto bad;
            o->cmdline = optarg;
            break;
        case 'm': {
            char buf[256], *save = NULL, *tok;

            if (strlen(optarg) >= sizeof(buf)) {
                rc = fail(err, errlen, "mount options too long");
                goto bad;
            }
            strcpy(buf, optarg);
            for (tok = strtok_r(buf, ",", &save); tok;
                 tok = strtok_r(NULL, ",", &save))
                if ((rc = add_mount_opt(o, tok, err, errlen)))
                    goto bad;
            break;
        }
        case 'b':
            if (o->nbinds >= KBOX_MAX_BINDS) {
                rc = fail(err, errlen, "too many bind mounts (max %d)",
                          KBOX_MAX_BINDS);
                goto bad;
            }
            if (kbox_cli_parse_bind(optarg, &o->binds[o->nbinds], err,
                                    errlen)) {
                rc = KBOX_CLI_USAGE;
                goto bad;
            }
            o->nbinds++;
            break;
        case '0':
            o->root_id = true;
            root_flag = true;
            break;
        case OPT_CHANGE_ID: {
            const char *colon = strchr(optarg, ':');
            size_t ulen = colon ? (size_t)(colon - optarg) : strlen(optarg);
            unsigned long u, g = 0;

            if (parse_id_part(optarg, ulen, &u, o->change_user) ||
                (colon && parse_id_part(colon + 1, strlen(colon + 1), &g,
                                        o->change_group))) {
                rc = fail(err, errlen,
                          "bad --change-id '%s' (want USER[:GROUP], names "
                          "or numbers)",
                          optarg);
                goto bad;
            }
            if (!colon)
                o->change_group[0] = '\0';
            o->change_id = true;
            o->change_gid_set = colon != NULL;
            o->uid = (uid_t)u;
            o->gid = (gid_t)g;
            break;
        }
        case OPT_PROFILE:
            if (strcmp(optarg, "full") == 0)
                o->profile = KBOX_PROFILE_FULL;
            else if (strcmp(optarg, "minimal") == 0)
                o->profile = KBOX_PROFILE_MINIMAL;
            else {
                rc = fail(err, errlen,
                          "bad --mount-profile '%s' (want full or minimal)",
                          optarg);
                goto bad;
            }
            profile_set = true;
            break;
        case OPT_MODE:
            if (strcmp(optarg, "auto") == 0)
                o->mode = KBOX_MODE_AUTO;
            else if (strcmp(optarg, "seccomp") == 0)
                o->mode = KBOX_MODE_SECCOMP;
            else if (strcmp(optarg, "trap") == 0 ||
                     strcmp(optarg, "rewrite") == 0) {
                rc = fail(err, errlen,
                          "--syscall-mode %s is not implemented yet "
                          "(use auto or seccomp)",
                          optarg);
                goto bad;
            } else {
                rc = fail(err, errlen,
                          "bad --syscall-mode '%s' (want auto or seccomp)",
                          optarg);
                goto bad;
            }
            break;
        case OPT_VERBOSE:
            if (o->verbose < 1)
                o->verbose = 1;
            break;
        case OPT_TRACE:
            o->verbose = 2;
            break;
        case 'h':
            fputs(usage_text, out);
            kbox_cli_free(o);
            return KBOX_CLI_EXIT0;
        case OPT_VERSION:
            fprintf(out, "kbox %s\n", KBOX_VERSION);
            kbox_cli_free(o);
            return KBOX_CLI_EXIT0;
        case ':':
            if (long_opt_name(argv[optind - 1], optopt, name, sizeof(name)))
                rc = fail(err, errlen, "option '--%s' needs an argument", name);
            else
                rc = fail(err, errlen, "option -%c needs an argument", optopt);
            goto bad;
        default:
            if (!long_opt_name(argv[optind - 1], optopt, name, sizeof(name)))
                rc = fail(err, errlen, "unknown option -%c (see --help)",
                          optopt);
            else if (optopt)
                rc = fail(err, errlen, "option '--%s' takes no argument", name);
            else
                rc = fail(err, errlen, "unknown option '%s' (see --help)",
                          argv[optind - 1]);
            goto bad;
        }
    }
    (void)profile_set;

    if (!o->image) {
        rc = fail(err, errlen,
                  "no image given (use -r, -R or -S IMAGE; see --help)");
        goto bad;
    }
    if (o->root_id && o->change_id) {
        /* -S is -R with root's identity: say how to get the profile as
         * another user (every new user tried -S --change-id) */
        rc = fail(err, errlen,
                  root_flag ? "-0/--root-id and --change-id conflict"
                            : "-S runs the guest as root; for another user "
                              "use -R IMAGE --change-id UID:GID (the same "
                              "mounts)");
        goto bad;
    }
    o->argv = argv + optind;
    o->argc = argc - optind;
    if (o->command) {
        if (o->argc) {
            rc = fail(err, errlen,
                      "give either -c STRING or -- COMMAND, not both");
            goto bad;
        }
        sh_argv[0] = "/bin/sh";
        sh_argv[1] = "-c";
        sh_argv[2] = (char *)o->command;
        sh_argv[3] = NULL;
        o->argv = sh_argv;
        o->argc = 3;
    }
    if (o->argc < 1) {
        rc = fail(err, errlen, "no command given (kbox -r IMG -- CMD ...)");
        goto bad;
    }
    if (!o->argv[0][0]) {
        rc = fail(err, errlen, "empty command name");
        goto bad;
    }
    return KBOX_CLI_OK;
bad:
    kbox_cli_free(o);
    return rc;
}
