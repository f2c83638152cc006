/* SPDX-License-Identifier: MIT */
/*
 * Command-line parsing for kbox. Pure: no I/O besides the help/version
 * text written to the stream the caller gives, no exit().
 */
#ifndef KBOX_CLI_H
#define KBOX_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define KBOX_VERSION        "0.1.0"
#define KBOX_MAX_BINDS      32
#define KBOX_MAX_MOUNT_OPTS 32

enum kbox_profile {
    KBOX_PROFILE_NONE = 0, /* -r: raw mount, nothing else */
    KBOX_PROFILE_MINIMAL,  /* proc + tmpfs */
    KBOX_PROFILE_FULL,     /* proc, sysfs, devtmpfs, devpts, tmpfs */
};

enum kbox_syscall_mode {
    KBOX_MODE_AUTO = 0,
    KBOX_MODE_SECCOMP,
};

struct kbox_bind {
    char *host_src;  /* absolute host path (normalised) */
    char *guest_dst; /* absolute guest path (normalised) */
    /* A file bind (SRC is no directory): its name in its host directory,
     * which the bind's dir fd is then (set at start-up); else NULL. */
    char *file;
};

struct kbox_opts {
    const char *image;   /* -r/-R/-S */
    const char *fs_type; /* -t, default ext4 */
    int partition;       /* -p, 0 = whole image */
    const char *work_dir;
    const char *cmdline;       /* -k */
    const char *command;       /* -c: run via /bin/sh -c */
    char mount_opts[256];      /* -m options the file system parses */
    unsigned long mount_flags; /* -m noatime, nodev, ...: MS_* flags */
    bool readonly;
    enum kbox_profile profile;
    bool root_id;   /* -0 / -S */
    bool change_id; /* --change-id given */
    uid_t uid;
    gid_t gid;
    /*
     * --change-id by name: the names (empty when a number was given),
     * looked up in the image's /etc/passwd and /etc/group once it is
     * mounted (kbox_image_resolve_ids); without a group part
     * (change_gid_set false) the gid is the user's primary group there.
     */
    char change_user[64];
    char change_group[64];
    bool change_gid_set;
    enum kbox_syscall_mode mode;
    int verbose; /* 1 = --verbose, 2 = --trace */
    int nbinds;
    struct kbox_bind binds[KBOX_MAX_BINDS];
    char **argv; /* guest command, NULL-terminated; points into argv */
    int argc;
};

/* Result of kbox_cli_parse(). */
enum {
    KBOX_CLI_OK = 0,    /* run the guest */
    KBOX_CLI_EXIT0 = 1, /* help/version printed: exit 0 */
    KBOX_CLI_USAGE = 2, /* error in err[]: exit 2 */
};

/*
 * Parse argv. On KBOX_CLI_USAGE, err holds one line (no "kbox: " prefix,
 * no newline). Help and version text go to @out.
 */
int kbox_cli_parse(int argc, char **argv, struct kbox_opts *o, FILE *out,
                   char *err, size_t errlen);
void kbox_cli_free(struct kbox_opts *o);

/* Parse "HOSTSRC:GUESTDST" into @b. Returns 0 or -1 with err filled. */
int kbox_cli_parse_bind(const char *spec, struct kbox_bind *b, char *err,
                        size_t errlen);

#endif
